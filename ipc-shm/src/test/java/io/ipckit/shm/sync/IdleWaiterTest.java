package io.ipckit.shm.sync;

import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.ShmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>
 * The five waiters block at once, each in a child JVM of its own, and one 2 s window measures them all: idle, they do
 * not compete for the CPU.
 */
@Timeout(90)
class IdleWaiterTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    /**
     * A child JVM blocked in a primitive of this test: its report file, how many sleepers the primitive counts, and
     * what lets its wait return.
     */
    private record Blocked(String kind, MappedFile report, JvmProcess child, IntSupplier sleepers, Release release)
    {
    }

    /** What ends a blocked child's wait. */
    @FunctionalInterface
    private interface Release
    {
        void run() throws Exception;
    }

    @Test
    void shouldUseNoMeasurableCpuWhileBlockedTwoSecondsInEveryPrimitive() throws Exception
    {
        final List<AutoCloseable> opened = new ArrayList<>();
        try
        {
            final List<Blocked> blocked = new ArrayList<>();
            for (final String kind : List.of("LOCK", "EVENT", "SEMAPHORE", "CONDITION", "BARRIER"))
            {
                blocked.add(block(kind, opened));
            }
            for (final Blocked waiter : blocked)
            {
                SharedLockTest.awaitMeasuredWait(waiter.report().buffer(), waiter.sleepers());
            }
            // the idle period
            IdleCpuWindow.measure(blocked.stream().map((waiter) -> waiter.report().buffer()).toList(),
                SyncChild.WINDOW_OFFSET, Duration.ofSeconds(2));
            for (final Blocked waiter : blocked)
            {
                // A waiter wakes at the end of every sleep slice (it stays registered on the doorbell), and a
                // condition waiter re-registers after a wake-up, so the waiter is found asleep by waiting, not at one
                // instant.
                Eventually.await(waiter.kind() + " waiter asleep again at the end of the measured window",
                    Duration.ofSeconds(10), () -> waiter.sleepers().getAsInt() > 0);
                assertEquals(0, waiter.report().buffer().getLongVolatile(SyncChild.RESULT_OFFSET),
                    waiter.kind() + ": the wait had not returned");
            }
            for (final Blocked waiter : blocked)
            {
                waiter.release().run();
                assertTrue(waiter.child().join(30, TimeUnit.SECONDS), waiter.child() + " did not finish");
                assertEquals(0, waiter.child().exitCode().orElseThrow(), waiter.child() + " failed");
                assertEquals(1, waiter.report().buffer().getLongVolatile(SyncChild.RESULT_OFFSET),
                    waiter.kind() + ": the wait succeeded");
                IdleCpuWindow.assertCpuBelow(waiter.report().buffer(), SyncChild.WINDOW_OFFSET, 20,
                    "idle " + waiter.kind() + " waiter");
            }
        }
        finally
        {
            for (int i = opened.size() - 1; i >= 0; i--)
            {
                opened.get(i).close();
            }
        }
    }

    /**
     * Creates a primitive of {@code kind} and its report file (both closed by the caller, from {@code opened}) and
     * starts a child that blocks in it.
     */
    private Blocked block(final String kind, final List<AutoCloseable> opened)
    {
        final String name = "idle-" + kind.toLowerCase(Locale.ROOT);
        final MappedFile report = MappedFile.create(name + ".report", SyncChild.REPORT_LENGTH);
        opened.add(report);
        switch (kind)
        {
            case "LOCK" ->
            {
                final SharedLock lock = SharedLock.create(name);
                opened.add(lock);
                lock.lock();
                return new Blocked(kind, report, startChild(kind, name), lock::sleepers, lock::unlock);
            }
            case "EVENT" ->
            {
                final SharedEvent event = SharedEvent.create(name);
                opened.add(event);
                return new Blocked(kind, report, startChild(kind, name), event::sleepers, event::set);
            }
            case "SEMAPHORE" ->
            {
                final SharedSemaphore semaphore = SharedSemaphore.create(name, 0, new ShmOptions().ownerSlots(4));
                opened.add(semaphore);
                return new Blocked(kind, report, startChild(kind, name), semaphore::sleepers, semaphore::release);
            }
            case "CONDITION" ->
            {
                final SharedCondition condition = SharedCondition.create(name);
                opened.add(condition);
                return new Blocked(kind, report, startChild(kind, name), condition::sleepers, () ->
                {
                    condition.lock().lock();
                    condition.signal();
                    condition.lock().unlock();
                });
            }
            case "BARRIER" ->
            {
                final SharedBarrier barrier = SharedBarrier.create(name, 2);
                opened.add(barrier);
                return new Blocked(kind, report, startChild(kind, name), barrier::sleepers,
                    () -> assertEquals(1, barrier.await(10, TimeUnit.SECONDS)));
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private JvmProcess startChild(final String kind, final String name)
    {
        return dir.start(SyncChild.class, "idle", kind, name, name + ".report");
    }
}
