package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedEventTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldWakeEveryWaitingJvmOnSet() throws Exception
    {
        try (SharedEvent event = SharedEvent.create("go.event");
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final AtomicBuffer buffer = report.buffer();
            final JvmProcess a = dir.start(SyncChild.class, "event-wait", "go.event", "report",
                "0", "30000");
            final JvmProcess b = dir.start(SyncChild.class, "event-wait", "go.event", "report",
                "1", "30000");
            Eventually.await("both children asleep", Duration.ofSeconds(30),
                () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 2 && event.sleepers() == 2);
            event.set();
            for (final JvmProcess child : new JvmProcess[]{a, b})
            {
                assertTrue(child.join(30, TimeUnit.SECONDS));
                assertEquals(0, child.exitCode().orElseThrow());
            }
            assertEquals(1, buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET), "child 0 saw the event set");
            assertEquals(1, buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET + 8), "child 1 saw the event set");
        }
    }

    /**
     * A waiter woken by the ring of a {@code set(); clear()} pulse used to look at the flag alone, find it clear and
     * sleep again; Python's {@code Event.wait()} returns True there.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWakeAWaitingJvmOnASetFollowedAtOnceByAClear() throws Exception
    {
        try (SharedEvent event = SharedEvent.create("pulse.event");
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final AtomicBuffer buffer = report.buffer();
            final JvmProcess child = dir.start(SyncChild.class, "event-wait", "pulse.event", "report", "0", "10000");
            Eventually.await("the child asleep", Duration.ofSeconds(30),
                () -> buffer.getLongVolatile(SyncChild.READY_OFFSET) == 1 && event.sleepers() == 1);
            event.set();
            event.clear();
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(0, child.exitCode().orElseThrow());
            assertEquals(1, buffer.getLongVolatile(SyncChild.PER_CHILD_OFFSET), "wait() returned True for the pulse");
            assertFalse(event.isSet());
        }
    }

    @Test
    void shouldReturnFalseFromTimedWaitInAnotherJvmWhenNeverSet() throws Exception
    {
        try (SharedEvent event = SharedEvent.create("never.event");
            MappedFile report = MappedFile.create("report", SyncChild.REPORT_LENGTH))
        {
            final JvmProcess child = dir.start(SyncChild.class, "event-wait", "never.event",
                "report", "0", "200");
            assertTrue(child.join(30, TimeUnit.SECONDS));
            assertEquals(2, report.buffer().getLongVolatile(SyncChild.PER_CHILD_OFFSET), "wait(0.2) returned False");
        }
    }

    @Test
    void shouldFollowPythonEventSemantics() throws Exception
    {
        try (SharedEvent event = SharedEvent.create("py.event"); SharedEvent other = SharedEvent.open("py.event"))
        {
            assertFalse(event.isSet());
            final long startNs = System.nanoTime();
            assertFalse(event.await(100, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(100));
            other.set();
            assertTrue(event.isSet());
            assertTrue(event.await(0, TimeUnit.SECONDS), "a set event returns at once");
            event.await();
            other.set();
            assertTrue(event.isSet(), "set twice is still set");
            event.clear();
            assertFalse(other.isSet());
            assertFalse(other.await(10, TimeUnit.MILLISECONDS));
            assertEquals("Event{py.event, clear}", event.toString());
        }
    }

    @Test
    void shouldThrowWhenInterruptedWhileWaiting() throws Exception
    {
        try (SharedEvent event = SharedEvent.create("int.event"))
        {
            final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            final Thread thread = new Thread(() ->
            {
                try
                {
                    event.await();
                    outcome.complete(null);
                }
                catch (final Throwable t)
                {
                    outcome.complete(t);
                }
            });
            thread.start();
            Eventually.await("waiter asleep", Duration.ofSeconds(10), () -> event.sleepers() > 0);
            thread.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldRefuseUseAfterClose()
    {
        final SharedEvent event = SharedEvent.create("closed.event");
        event.close();
        event.close();
        assertThrows(ResourceClosedException.class, event::set);
        assertThrows(ResourceClosedException.class, () -> event.await(1, TimeUnit.SECONDS));
        assertEquals("Event{closed.event, closed}", event.toString());
    }
}
