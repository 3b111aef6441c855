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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound of the synchronisation primitives, for the ends users block on most: a thread of another JVM blocked for
 * 2 s in a pipe's receive, in a send to a full pipe, in a queue's take or in a put to a full queue uses less than
 * 20 ms of CPU. The window starts when the child is about to block, so its spin before sleeping is inside it. The four
 * children block at once, each on a pipe or queue of its own, and one 2 s window measures them all: idle, they do not
 * compete for the CPU.
 */
@Timeout(90)
class IdleEndTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedInAnEndOfAPipeOrAQueue() throws Exception
    {
        try (Connection receivedFrom = Pipe.create("idle.recv");
            Connection sentTo = Pipe.create("idle.send");
            SharedQueue<byte[]> takenFrom = SharedQueue.create("idle.take", Codecs.BYTES, new QueueOptions());
            SharedQueue<byte[]> putTo = SharedQueue.create("idle.put", Codecs.BYTES, new QueueOptions().maxElements(4));
            MappedFile recvReport = MappedFile.create("recv.report", IdleEndChild.REPORT_LENGTH);
            MappedFile sendReport = MappedFile.create("send.report", IdleEndChild.REPORT_LENGTH);
            MappedFile takeReport = MappedFile.create("take.report", IdleEndChild.REPORT_LENGTH);
            MappedFile putReport = MappedFile.create("put.report", IdleEndChild.REPORT_LENGTH))
        {
            final JvmProcess receiver = dir.start(IdleEndChild.class, "recv", "idle.recv", "recv.report");
            final JvmProcess sender = dir.start(IdleEndChild.class, "send", "idle.send", "send.report");
            final JvmProcess taker = dir.start(IdleEndChild.class, "take", "idle.take", "take.report");
            final JvmProcess putter = dir.start(IdleEndChild.class, "put", "idle.put", "put.report");
            final List<AtomicBuffer> reports =
                List.of(recvReport.buffer(), sendReport.buffer(), takeReport.buffer(), putReport.buffer());
            for (final AtomicBuffer report : reports)
            {
                Eventually.await("the child about to block", Duration.ofSeconds(30),
                    () -> report.getLongVolatile(IdleEndChild.READY_OFFSET) == 1);
            }
            IdleCpuWindow.measure(reports, IdleEndChild.WINDOW_OFFSET, Duration.ofSeconds(2));
            for (final AtomicBuffer report : reports)
            {
                assertEquals(0, report.getLongVolatile(IdleEndChild.RESULT_OFFSET),
                    "the blocked call had not returned");
            }

            receivedFrom.sendBytes(new byte[8]);
            assertDone(receiver, recvReport.buffer(), "blocked pipe receive");

            assertNotNull(sentTo.recvBytes(10, TimeUnit.SECONDS), "the child filled the ring");
            // the reader gives room back in steps: receive until the blocked send has gone through
            Eventually.await("the blocked send sent", Duration.ofSeconds(30), () ->
            {
                try
                {
                    sentTo.recvBytes(1, TimeUnit.MILLISECONDS);
                    return sendReport.buffer().getLongVolatile(IdleEndChild.RESULT_OFFSET) == 1;
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            assertDone(sender, sendReport.buffer(), "blocked pipe send");

            assertTrue(takenFrom.offer(new byte[8]));
            assertDone(taker, takeReport.buffer(), "blocked queue take");

            assertNotNull(putTo.poll(10, TimeUnit.SECONDS), "the child filled the queue");
            assertDone(putter, putReport.buffer(), "blocked queue put");
        }
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
