package io.ipckit.shm.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.ShmOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound: a waiter blocked for 2 s in another JVM uses less than 20 ms of CPU, for every primitive.
 * The child's CPU is read over the window in which the parent sees it asleep, not over its spin before sleeping or
 * its wake-up. Within the window the waiter has handed its peers to the kernel ({@code PeerWatch}) and wakes once per
 * {@code Waiter.WATCHED_SLICE_NS}; when it still woke every liveness interval to read {@code /proc}, a two-core
 * virtual machine, where each such wake-up cost a cold 0.2 to 0.6 ms, put it at 6 to 25 ms.
 */
@Timeout(60)
class IdleWaiterTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @ParameterizedTest
    @ValueSource(strings = {"LOCK", "EVENT", "SEMAPHORE", "CONDITION", "BARRIER"})
    void shouldUseNoMeasurableCpuWhileBlockedTwoSeconds(final String kind) throws Exception
    {
        try (MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            switch (kind)
            {
                case "LOCK" ->
                {
                    try (SharedLock lock = SharedLock.create("idle"))
                    {
                        lock.lock();
                        final JvmProcess child = startChild(kind);
                        awaitIdle(report, lock::sleepers);
                        lock.unlock();
                        assertChildDone(child);
                    }
                }
                case "EVENT" ->
                {
                    try (SharedEvent event = SharedEvent.create("idle"))
                    {
                        final JvmProcess child = startChild(kind);
                        awaitIdle(report, event::sleepers);
                        event.set();
                        assertChildDone(child);
                    }
                }
                case "SEMAPHORE" ->
                {
                    try (SharedSemaphore semaphore = SharedSemaphore.create("idle", 0, new ShmOptions().ownerSlots(4)))
                    {
                        final JvmProcess child = startChild(kind);
                        awaitIdle(report, semaphore::sleepers);
                        semaphore.release();
                        assertChildDone(child);
                    }
                }
                case "CONDITION" ->
                {
                    try (SharedCondition condition = SharedCondition.create("idle"))
                    {
                        final JvmProcess child = startChild(kind);
                        awaitIdle(report, condition::sleepers);
                        condition.lock().lock();
                        condition.signal();
                        condition.lock().unlock();
                        assertChildDone(child);
                    }
                }
                case "BARRIER" ->
                {
                    try (SharedBarrier barrier = SharedBarrier.create("idle", 2))
                    {
                        final JvmProcess child = startChild(kind);
                        awaitIdle(report, barrier::sleepers);
                        assertEquals(1, barrier.await(10, TimeUnit.SECONDS));
                        assertChildDone(child);
                    }
                }
                default -> throw new IllegalArgumentException(kind);
            }
            SharedLockTest.assertIdle(report.buffer());
        }
    }

    private JvmProcess startChild(final String kind)
    {
        return dir.start(SyncChild.class, "idle", kind, "idle", "report");
    }

    private static void awaitIdle(final MappedFile report, final IntSupplier sleepers) throws InterruptedException
    {
        final AtomicBuffer buffer = report.buffer();
        SharedLockTest.awaitMeasuredWait(buffer, sleepers);
        IdleCpuWindow.measure(buffer, SyncChild.WINDOW_OFFSET, Duration.ofSeconds(2)); // the idle period
        // A waiter wakes at the end of every sleep slice (it stays registered on the doorbell), and a
        // condition waiter re-registers after a wake-up, so the waiter is found asleep by waiting, not at one instant.
        Eventually.await("the waiter asleep again at the end of the measured window", Duration.ofSeconds(10),
            () -> sleepers.getAsInt() > 0);
        assertEquals(0, buffer.getLongVolatile(SyncChild.RESULT_OFFSET), "the wait had not returned");
    }

    private static void assertChildDone(final JvmProcess child) throws InterruptedException
    {
        assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
        assertEquals(0, child.exitCode().orElseThrow(), child + " failed");
    }
}
