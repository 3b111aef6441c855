package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.EndOfStreamException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;

/**
 * Python: {@code pipe = multiprocessing.Pipe(False)}; a consumer {@code Process} that {@code recv()}s until
 * {@code None}; the parent {@code send}s 0..9, then the done signal (and {@code p1.send("alma"); p1.close()}).
 * A pipe is a named file: the creator holds end A, the one process that opens it holds end B. A pipe carries no
 * null, and needs no sentinel: closing end A is the done signal; the reader gets what was sent, then
 * {@link EndOfStreamException} (Python's {@code EOFError}); a writer that died instead gives
 * {@code PeerGoneException}.
 */
public final class PipeConsumer
{
    private PipeConsumer()
    {
    }

    static void consume(final String pipeName) throws Exception
    {
        try (Connection in = Pipe.open(pipeName))
        {
            try
            {
                while (true)
                {
                    System.out.println("got an item: " + in.recv());
                }
            }
            catch (final EndOfStreamException ex)
            {
                System.out.println("end of stream: the producer closed its end");
            }
        }
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String name = ResourceName.random("pipe_");
        final JvmProcess consumer;
        try (Connection out = Pipe.create(name, new PipeOptions().duplex(false)))
        {
            consumer = JvmProcess.start(Child.of(() -> consume(name)));
            out.send("alma");
            for (int i = 0; i < 10; i++)
            {
                out.send(i);
            }
        } // closing end A is the done signal (Python's None): a pipe carries no null
        consumer.join();
        System.out.println("consumer exited with " + consumer.exitCode().getAsInt());
    }
}
