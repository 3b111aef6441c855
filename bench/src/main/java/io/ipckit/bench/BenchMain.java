package io.ipckit.bench;

import io.ipckit.core.internal.process.JvmFlags;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the JMH benchmarks with the JVM flags every ipckit JVM needs added to each fork. Takes JMH's usual
 * command line ({@code -prof gc}, a benchmark regex, {@code -f}, {@code -wi}, ...).
 */
public final class BenchMain
{
    private BenchMain()
    {
    }

    /**
     * @param args JMH command-line options.
     * @throws RunnerException            when a benchmark fails.
     * @throws CommandLineOptionException when the options are invalid.
     * @throws java.io.IOException        when listing profilers fails.
     */
    public static void main(final String[] args) throws RunnerException, CommandLineOptionException, java.io.IOException
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp())
        {
            cli.showHelp();
            return;
        }
        final OptionsBuilder options = new OptionsBuilder();
        // the required flags go first, so a -jvmArgsAppend given on the command line is kept (after them)
        final List<String> appended = new ArrayList<>(JvmFlags.required());
        if (cli.getJvmArgsAppend().hasValue())
        {
            appended.addAll(cli.getJvmArgsAppend().get());
        }
        options.parent(cli).jvmArgsAppend(appended.toArray(new String[0]));
        final Runner runner = new Runner(options.build());
        if (cli.shouldList() || cli.shouldListWithParams())
        {
            runner.list();
            return;
        }
        if (cli.shouldListProfilers())
        {
            cli.listProfilers();
            return;
        }
        runner.run();
    }
}
