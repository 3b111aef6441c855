package io.ipckit.cli;

import io.ipckit.core.codec.Codecs;
import io.ipckit.durable.LogReader;
import io.ipckit.durable.SharedLog;
import io.ipckit.durable.SharedLogOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM that creates a log, appends {@code record-0} ... {@code record-(N-1)} as UTF-8 bytes, reads the first
 * {@code R} of them through the named reader {@code NAME} (whose position persists), then exits: the "other
 * process" that writes the log the CLI's log tests look at.
 */
public final class LogWriter
{
    private LogWriter()
    {
    }

    /**
     * @param args the log directory, N, the reader's name and R.
     * @throws Exception on failure (the test sees the child exit non-zero).
     */
    public static void main(final String[] args) throws Exception
    {
        final int records = Integer.parseInt(args[1]);
        final int read = Integer.parseInt(args[3]);
        try (SharedLog<byte[]> log = SharedLog.create(Path.of(args[0]), Codecs.BYTES, new SharedLogOptions()))
        {
            for (int i = 0; i < records; i++)
            {
                log.append(("record-" + i).getBytes(StandardCharsets.UTF_8));
            }
            try (LogReader<byte[]> reader = log.reader(args[2]))
            {
                for (int i = 0; i < read; i++)
                {
                    if (reader.poll() == null)
                    {
                        throw new IllegalStateException("record " + i + " is missing");
                    }
                }
            }
            log.sync();
        }
    }
}
