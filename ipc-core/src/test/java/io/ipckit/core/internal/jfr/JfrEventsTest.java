package io.ipckit.core.internal.jfr;

import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.DoorbellDescriptor;
import io.ipckit.core.internal.kit.OwnerLock;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.core.process.ProcessIdentity;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JfrEventsTest
{
    @Test
    void shouldRecordALockTakenOverFromADeadOwner() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final ProcessIdentity self = ProcessIdentity.current();
        final long dead = OwnerToken.of(new ProcessIdentity(self.pid(), self.startTime() + 1));
        buffer.putLong(0, dead);
        final List<RecordedEvent> events = record("io.ipckit.LockTakeover",
            () -> assertEquals(dead, new OwnerLock().wrap(buffer, 0).tryTakeOverFromDead()));
        assertEquals(1, events.size());
        assertEquals(self.pid(), events.get(0).getLong("deadOwnerPid"));
        assertEquals(self.pid(), events.get(0).getLong("newOwnerPid"));
        assertTrue(events.get(0).getStackTrace().getFrames().stream()
            .anyMatch((f) -> f.getMethod().getName().equals("tryTakeOverFromDead")));
    }

    @Test
    void shouldNotRecordATakeoverThatDidNotHappen() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        buffer.putLong(0, OwnerToken.current());
        final List<RecordedEvent> events = record("io.ipckit.LockTakeover",
            () -> assertEquals(OwnerToken.NONE, new OwnerLock().wrap(buffer, 0).tryTakeOverFromDead()));
        assertEquals(List.of(), events);
    }

    @Test
    void shouldRecordAWaitThatSleptLongerThanTheThreshold() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(DoorbellDescriptor.LENGTH));
        final Waiter waiter = new Waiter(new Doorbell().wrap(buffer, 0), null, new CloseGuard("test"));
        final long timeoutNs = SlowWaitEvent.THRESHOLD_NS + TimeUnit.MILLISECONDS.toNanos(50);
        final List<RecordedEvent> events = record("io.ipckit.SlowWait", () ->
        {
            waiter.begin(timeoutNs);
            try
            {
                while (waiter.pause(waiter.sequence()))
                {
                    assertFalse(Thread.currentThread().isInterrupted());
                }
            }
            finally
            {
                waiter.end();
            }
        });
        assertEquals(1, events.size());
        assertTrue(events.get(0).getDuration("waited").toNanos() >= timeoutNs);
    }

    @Test
    void shouldNotRecordAShortWait() throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(DoorbellDescriptor.LENGTH));
        final Waiter waiter = new Waiter(new Doorbell().wrap(buffer, 0), null, new CloseGuard("test"));
        final List<RecordedEvent> events = record("io.ipckit.SlowWait", () ->
        {
            waiter.begin(0);
            try
            {
                assertFalse(waiter.pause(waiter.sequence()), "a zero timeout tries once");
            }
            finally
            {
                waiter.end();
            }
        });
        assertEquals(List.of(), events);
    }

    /**
     * Runs {@code action} under an in-process recording of {@code eventName} and returns the events recorded.
     */
    static List<RecordedEvent> record(final String eventName, final ThrowingRunnable action) throws Exception
    {
        final Path file = Files.createTempFile("ipckit-jfr-", ".jfr");
        try (Recording recording = new Recording())
        {
            recording.enable(eventName).withStackTrace();
            recording.start();
            action.run();
            recording.stop();
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                .filter((e) -> e.getEventType().getName().equals(eventName)).toList();
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * An action that may throw.
     */
    interface ThrowingRunnable
    {
        void run() throws Exception;
    }
}
