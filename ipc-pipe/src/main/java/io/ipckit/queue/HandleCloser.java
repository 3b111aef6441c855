package io.ipckit.queue;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.pipe.internal.FileFaults;

import java.util.concurrent.TimeUnit;

/**
 * Unmaps a queue handle's file once no thread is inside its producer or consumer gate, so that no call of the
 * handle ever touches unmapped memory. When a call still runs at the close (a handler that closes its own queue, a
 * zero-copy claim not yet committed, or a call of another thread that outlasts the 5 s wait), or a thread still
 * waits outside the gates (a take asleep on an empty queue, {@link GateFreeSleep}, that has not woken within the
 * guard's 5 s), the unmap is left pending and done by that call when it leaves ({@link #closeIfPending()}), or never,
 * when it never leaves.
 * <p>
 * Each side's release ({@code producerSideRelease}: the handle's exclusive lane or its lock's bias;
 * {@code consumerSideRelease}: the consumer lock's bias) runs once, inside its gate, before the unmap; not at all
 * when the file was truncated (its words may be gone, and a compare-and-set on a lost page would kill the JVM: the
 * lane and the lock are then taken over from this process once it ends).
 * <p>
 * Thread-safe.
 */
final class HandleCloser
{
    private static final long GATE_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    private final ResourceFile file;
    private final CloseGuard guard;
    private final HandleGate producerGate;
    private final HandleGate consumerGate;
    private final Runnable producerSideRelease;
    private final Runnable consumerSideRelease;
    private final FileFaults faults;
    private boolean producerReleased;
    private boolean consumerReleased;
    private boolean unmapped;
    private volatile boolean pending;

    HandleCloser(final ResourceFile file, final CloseGuard guard, final HandleGate producerGate,
        final HandleGate consumerGate, final Runnable producerSideRelease, final Runnable consumerSideRelease,
        final FileFaults faults)
    {
        this.guard = guard;
        this.faults = faults;
        this.file = file;
        this.producerGate = producerGate;
        this.consumerGate = consumerGate;
        this.producerSideRelease = producerSideRelease;
        this.consumerSideRelease = consumerSideRelease;
    }

    /**
     * Unmaps now when no call runs (waiting at most 5 s for each gate), else leaves the unmap pending. The caller
     * has closed the handle's guard, so that no new call starts.
     */
    void closeWhenIdle()
    {
        closeWhenIdle(GATE_WAIT_NS);
    }

    /**
     * @param consumerWaitNs the most to wait for the consumer gate (5 s for the producer gate, whose calls do not
     *                       look for a pending unmap as they leave).
     */
    private synchronized void closeWhenIdle(final long consumerWaitNs)
    {
        if (unmapped)
        {
            return;
        }
        if (producerGate.isHeldByCurrentThread() || consumerGate.isHeldByCurrentThread())
        {
            // closed from inside a call of this thread (a handler, a claim): that call unmaps when it leaves
            pending = true;
            return;
        }
        boolean producerHeld = false;
        boolean consumerHeld = false;
        try
        {
            producerHeld = producerGate.enterForClose(GATE_WAIT_NS);
            consumerHeld = consumerGate.enterForClose(consumerWaitNs);
            final boolean intact = !faults.isTruncated();
            if (producerHeld && !producerReleased)
            {
                producerReleased = true;
                release(producerSideRelease, intact);
            }
            if (consumerHeld && !consumerReleased)
            {
                consumerReleased = true;
                release(consumerSideRelease, intact);
            }
        }
        finally
        {
            // set before the waiters are counted: a waiter leaves (uncounts itself), then looks at it
            pending = true; // a call of another thread still runs, or a waiter sleeps: it unmaps when it leaves
            if (producerHeld && consumerHeld && !guard.hasWaiters())
            {
                unmapped = true;
                pending = false;
                file.close();
            }
            if (consumerHeld)
            {
                consumerGate.exit();
            }
            if (producerHeld)
            {
                producerGate.exit();
            }
        }
    }

    private static void release(final Runnable release, final boolean intact)
    {
        if (intact)
        {
            try
            {
                release.run();
            }
            catch (final InternalError ex)
            {
                // truncated after the check: nothing to give back any more
            }
        }
    }

    /**
     * Called by a call of a closed handle as it leaves, outside both gates: does the unmap its close left pending,
     * unless another consumer call is still inside (which does it as it leaves, in turn), so that a consumer call
     * does not wait for another.
     */
    void closeIfPending()
    {
        if (pending)
        {
            closeWhenIdle(QueueCore.LOCK_GRACE_NS);
        }
    }
}
