package io.ipckit.cli;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.IpcException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * {@code bin/ipckit}: the top command. Holds the option every verb shares ({@code --dir}) and maps outcomes to exit
 * codes: 0 ok, 1 failure (a resource missing, corrupt or refused, an I/O error), 2 usage (picocli's).
 * <p>
 * Not thread-safe: one instance per command line. {@code --dir} sets the {@code ipckit.dir} system property for
 * the rest of this JVM's life, as the command line is this JVM's only work.
 */
@Command(
    name = "ipckit",
    mixinStandardHelpOptions = true,
    version = "ipckit 0.1.0",
    description = "See and repair what ipckit holds in the shared directory.",
    subcommands = {
        LsCommand.class, StatCommand.class, RmCommand.class, DumpCommand.class, TailCommand.class,
        UnlockCommand.class, CommandLine.HelpCommand.class})
public final class Ipckit implements Runnable
{
    /** Exit code: the command did what was asked. */
    public static final int EXIT_OK = 0;
    /** Exit code: the command failed (missing, corrupt, refused, I/O). */
    public static final int EXIT_FAILURE = 1;
    /** Exit code: the command line was wrong. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
        description = "The shared directory (default: -Dipckit.dir, $IPCKIT_DIR, /dev/shm).")
    void dir(final String dir)
    {
        System.setProperty(SharedDirectory.DIRECTORY_PROP_NAME, dir);
    }

    /**
     * Without a verb: prints the usage and fails with {@link #EXIT_USAGE}.
     */
    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * Runs a command line.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs a command line with the given streams (the tests' entry point).
     *
     * @param out  where results go.
     * @param err  where errors go.
     * @param args the arguments.
     * @return the exit code.
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new Ipckit());
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
            Style.colourEnabled() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (ex instanceof IpcException || ex instanceof UncheckedIOException || ex instanceof IllegalArgumentException)
            {
                cmd.getErr().println("ipckit " + cmd.getCommandName() + ": " + ex.getMessage());
                cmd.getErr().flush();
                return EXIT_FAILURE;
            }
            throw ex;
        });
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
