package io.ipckit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs {@link Ipckit} in this JVM and keeps what it printed.
 *
 * @param code the exit code.
 * @param out  what went to stdout.
 * @param err  what went to stderr.
 */
record Cli(int code, String out, String err)
{
    static Cli run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = Ipckit.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString()
    {
        return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
}
