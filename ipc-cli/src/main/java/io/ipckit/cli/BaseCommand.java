package io.ipckit.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * What every verb shares: picocli's spec, to reach the output streams the command line was given.
 * Not thread-safe (a picocli command object).
 */
abstract class BaseCommand
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * @return the output stream.
     */
    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    /**
     * @return the error stream.
     */
    PrintWriter err()
    {
        return spec.commandLine().getErr();
    }
}
