package io.ipckit.manager.internal;

import io.ipckit.core.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The count of journaled calls applied outside the journal's lock, as a snapshot uses it: it waits for the calls under
 * way and holds new ones meanwhile, gives up at its deadline, and lets the held calls go either way.
 */
@Timeout(60)
class OutsideLockCallsTest
{
    private final ReentrantLock lock = new ReentrantLock();
    private final OutsideLockCalls calls = new OutsideLockCalls(lock);

    private boolean awaitNone(final long timeoutNs)
    {
        lock.lock();
        try
        {
            return calls.awaitNone(timeoutNs);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void leave()
    {
        lock.lock();
        try
        {
            calls.leave();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Starts a call's {@link OutsideLockCalls#enter} on a thread of its own, and waits until it has entered or waits:
     * nobody holds the lock meanwhile, so a thread parked in it waits for the snapshot.
     */
    private Thread enterOnAThread()
    {
        final Thread thread = Thread.ofPlatform().start(() ->
        {
            try
            {
                calls.enter();
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        Eventually.await("the new call entered or waits", Duration.ofSeconds(10),
            () -> !thread.isAlive() || thread.getState() == Thread.State.WAITING);
        return thread;
    }

    @Test
    void shouldFindNoneAtOnceWhenNoCallIsUnderWay() throws InterruptedException
    {
        assertTrue(awaitNone(0));
        calls.enter();
        leave();
        assertTrue(awaitNone(0));
    }

    @Test
    void shouldWaitForTheCallUnderWayAndHoldNewOnesMeanwhile() throws Exception
    {
        calls.enter();
        final CompletableFuture<Boolean> snapshot = CompletableFuture.supplyAsync(
            () -> awaitNone(TimeUnit.SECONDS.toNanos(30)));
        Eventually.await("the snapshot waits", Duration.ofSeconds(10), calls::snapshotWaiting);
        final Thread held = enterOnAThread();
        assertTrue(held.isAlive() && !snapshot.isDone(), "the snapshot waits, the new call is held");
        leave();
        assertTrue(snapshot.get(30, TimeUnit.SECONDS), "none under way once the call left");
        held.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(held.isAlive(), "the held call went on");
        assertFalse(awaitNone(0), "the held call went on once the snapshot was done");
        leave();
        assertTrue(awaitNone(0));
    }

    @Test
    void shouldGiveUpAtTheDeadlineAndOpenTheGateAgain() throws Exception
    {
        calls.enter();
        final long startNs = System.nanoTime();
        final CompletableFuture<Boolean> snapshot = CompletableFuture.supplyAsync(
            () -> awaitNone(TimeUnit.MILLISECONDS.toNanos(300)));
        Eventually.await("the snapshot waits", Duration.ofSeconds(10), calls::snapshotWaiting);
        assertFalse(snapshot.get(30, TimeUnit.SECONDS), "given up: the call stayed under way");
        assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(300), "not before its deadline");
        assertFalse(calls.snapshotWaiting());
        calls.enter(); // the gate is open again: a new call goes on at once
        leave();
        leave();
        assertTrue(awaitNone(0));
    }

    @Test
    void shouldGiveUpWhenInterruptedAndKeepTheFlag() throws Exception
    {
        calls.enter();
        lock.lock();
        try
        {
            Thread.currentThread().interrupt();
            assertFalse(calls.awaitNone(TimeUnit.SECONDS.toNanos(30)));
            assertTrue(Thread.interrupted(), "the flag set again");
        }
        finally
        {
            lock.unlock();
        }
        leave();
        assertFalse(calls.snapshotWaiting());
    }
}
