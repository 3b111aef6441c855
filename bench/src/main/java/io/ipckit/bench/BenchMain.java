package io.ipckit.bench;

import io.ipckit.core.process.JvmFlags;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

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
     */
    public static void main(final String[] args) throws RunnerException, CommandLineOptionException
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        final OptionsBuilder options = new OptionsBuilder();
        options.parent(cli).jvmArgsAppend(JvmFlags.required().toArray(new String[0]));
        new Runner(options.build()).run();
    }
}
