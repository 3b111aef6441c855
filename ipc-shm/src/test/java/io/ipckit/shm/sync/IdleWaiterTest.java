package io.ipckit.shm.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound: a waiter blocked for 2 s in another JVM uses less than 20 ms of CPU, for every primitive.
 * The child's CPU is read over the window in which the parent sees it asleep (its dead-owner checks every
 * {@value io.ipckit.core.internal.kit.LivenessCheckInterval#INTERVAL_DEFAULT_MS} ms included), not over its spin before sleeping or its wake-up,
 * which on a loaded two-core machine once pushed the whole call's figure to 21 ms. The five waiters, one JVM each,
 * are blocked at the same time and measured over one window (one after the other, the test took 13 s).
 */
@Timeout(60)
class IdleWaiterTest
{
    private static final String[] KINDS = {"LOCK", "EVENT", "SEMAPHORE", "CONDITION", "BARRIER"};

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedTwoSecondsInEveryPrimitive() throws Exception
    {
        final MappedFile[] reports = new MappedFile[KINDS.length];
        final JvmProcess[] children = new JvmProcess[KINDS.length];
        try (SharedLock lock = SharedLock.create("idle-LOCK");
            SharedEvent event = SharedEvent.create("idle-EVENT");
            SharedSemaphore semaphore = SharedSemaphore.create("idle-SEMAPHORE", 0, new ShmOptions().ownerSlots(4));
            SharedCondition condition = SharedCondition.create("idle-CONDITION");
            SharedBarrier barrier = SharedBarrier.create("idle-BARRIER", 2))
        {
            final IntSupplier[] sleepers = {lock::sleepers, event::sleepers, semaphore::sleepers,
                condition::sleepers, barrier::sleepers};
            lock.lock();
            for (int k = 0; k < KINDS.length; k++)
            {
                reports[k] = MappedFile.create("report-" + KINDS[k], SyncChild.REPORT_LENGTH);
                children[k] = dir.start(SyncChild.class, "idle", KINDS[k], "idle-" + KINDS[k], "report-" + KINDS[k]);
            }
            for (int k = 0; k < KINDS.length; k++)
            {
                SharedLockTest.awaitMeasuredWait(reports[k].buffer(), sleepers[k]);
            }
            for (final MappedFile report : reports)
            {
                requestWindow(report.buffer(), 1);
            }
            Thread.sleep(2_000); // the measured idle period the issue asks for
            for (final MappedFile report : reports)
            {
                requestWindow(report.buffer(), 2);
            }
            for (int k = 0; k < KINDS.length; k++)
            {
                // A waiter wakes every liveness interval to look at its peers (it stays registered on the doorbell),
                // and a condition waiter re-registers after a wake-up, so the waiter is found asleep by waiting, not
                // at one instant.
                final IntSupplier asleep = sleepers[k];
                Eventually.await("the " + KINDS[k] + " waiter asleep again at the end of the measured window",
                    Duration.ofSeconds(10), () -> asleep.getAsInt() > 0);
                assertEquals(0, reports[k].buffer().getLongVolatile(SyncChild.RESULT_OFFSET),
                    "the " + KINDS[k] + " wait had not returned");
            }
            lock.unlock();
            event.set();
            semaphore.release();
            condition.lock().lock();
            condition.signal();
            condition.lock().unlock();
            assertEquals(1, barrier.await(10, TimeUnit.SECONDS));
            for (int k = 0; k < KINDS.length; k++)
            {
                assertTrue(children[k].join(30, TimeUnit.SECONDS), children[k] + " did not finish");
                assertEquals(0, children[k].exitCode().orElseThrow(), children[k] + " failed");
                SharedLockTest.assertIdle(reports[k].buffer());
            }
        }
        finally
        {
            for (final MappedFile report : reports)
            {
                if (report != null)
                {
                    report.close();
                }
            }
        }
    }

    private static void requestWindow(final AtomicBuffer buffer, final long request)
    {
        buffer.putLongVolatile(SyncChild.WINDOW_REQUEST_OFFSET, request);
        Eventually.await("the child acknowledged window request " + request, Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(SyncChild.WINDOW_ACK_OFFSET) == request);
    }
}
