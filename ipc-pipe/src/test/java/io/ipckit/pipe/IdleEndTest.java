package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.queue.QueueOptions;
import io.ipckit.queue.SharedQueue;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound of the synchronisation primitives, for the ends users block on most: a thread of another JVM blocked for
 * 2 s in a pipe's receive, in a send to a full pipe, in a queue's take or in a put to a full queue uses less than
 * 20 ms of CPU. The window
 * starts when the child is about to block, so its spin before sleeping is inside it.
 */
@Timeout(60)
class IdleEndTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedInAPipeReceive() throws Exception
    {
        try (Connection pipe = Pipe.create("idle.pipe");
            MappedFile report = MappedFile.create("report", IdleEndChild.REPORT_LENGTH))
        {
            final JvmProcess child = startAndMeasure("recv", "idle.pipe", report);
            pipe.sendBytes(new byte[8]);
            assertDone(child, report.buffer(), "blocked pipe receive");
        }
    }

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedInASendToAFullPipe() throws Exception
    {
        try (Connection pipe = Pipe.create("idle.pipe");
            MappedFile report = MappedFile.create("report", IdleEndChild.REPORT_LENGTH))
        {
            final JvmProcess child = startAndMeasure("send", "idle.pipe", report);
            assertNotNull(pipe.recvBytes(10, TimeUnit.SECONDS), "the child filled the ring");
            // the reader gives room back in steps: receive until the blocked send has gone through
            Eventually.await("the blocked send sent", Duration.ofSeconds(30), () ->
            {
                try
                {
                    pipe.recvBytes(1, TimeUnit.MILLISECONDS);
                    return report.buffer().getLongVolatile(IdleEndChild.RESULT_OFFSET) == 1;
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertDone(child, report.buffer(), "blocked pipe send");
        }
    }

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedInAQueueTake() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("idle.queue", Codecs.BYTES, new QueueOptions());
            MappedFile report = MappedFile.create("report", IdleEndChild.REPORT_LENGTH))
        {
            final JvmProcess child = startAndMeasure("take", "idle.queue", report);
            assertTrue(queue.offer(new byte[8]));
            assertDone(child, report.buffer(), "blocked queue take");
        }
    }

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedInAPutToAFullQueue() throws Exception
    {
        try (SharedQueue<byte[]> queue = SharedQueue.create("idle.queue", Codecs.BYTES, new QueueOptions().maxElements(4));
            MappedFile report = MappedFile.create("report", IdleEndChild.REPORT_LENGTH))
        {
            final JvmProcess child = startAndMeasure("put", "idle.queue", report);
            assertNotNull(queue.poll(10, TimeUnit.SECONDS), "the child filled the queue");
            assertDone(child, report.buffer(), "blocked queue put");
        }
    }

    /**
     * Starts a child that blocks in {@code mode} on {@code name} and measures its blocked thread for 2 s.
     */
    private JvmProcess startAndMeasure(final String mode, final String name, final MappedFile report)
        throws InterruptedException
    {
        final JvmProcess child = dir.start(IdleEndChild.class, mode, name, "report");
        final AtomicBuffer buffer = report.buffer();
        Eventually.await("the child about to block", Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(IdleEndChild.READY_OFFSET) == 1);
        IdleCpuWindow.measure(buffer, IdleEndChild.WINDOW_OFFSET, Duration.ofSeconds(2));
        assertEquals(0, buffer.getLongVolatile(IdleEndChild.RESULT_OFFSET), "the blocked call had not returned");
        return child;
    }

    private static void assertDone(final JvmProcess child, final AtomicBuffer report, final String what)
        throws InterruptedException
    {
        assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
        assertEquals(0, child.exitCode().orElseThrow(), child + " failed");
        assertEquals(1, report.getLongVolatile(IdleEndChild.RESULT_OFFSET), "the blocked call succeeded");
        IdleCpuWindow.assertCpuBelow(report, IdleEndChild.WINDOW_OFFSET, 20, what);
    }
}
