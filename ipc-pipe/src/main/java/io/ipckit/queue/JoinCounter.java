package io.ipckit.queue;

import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

import static io.ipckit.queue.LaneWords.COUNT_MASK;

/**
 * The unfinished-task count of a {@link JoinableQueue}: (elements put − elements done), where elements put is the sum
 * of the lanes' tail counts (so it cannot disagree with what was published) and elements done is one word in the
 * file, counted up by {@code taskDone} and by every element a consumer or a removal abandons.
 * <p>
 * Note to maintainers: the done word only ever grows, by a compare-and-set in {@link #taskDone()} (which refuses to
 * pass the put count) or by an unconditional add for an abandoned element; an element is counted done before its
 * removal is published, so a remover killed in between makes {@code join} return one task early, never late.
 * <p>
 * Thread-safe and process-safe.
 */
final class JoinCounter
{
    private final AtomicBuffer meta;
    private final int lanesOffset;
    private final int laneCount;
    private final int doneOffset;
    private final boolean joinable;
    private final Doorbell joinBell;
    private final IdleStrategy idleStrategy;
    private final CloseGuard guard;
    private final String description;
    private final FileFaults faults;

    JoinCounter(final AtomicBuffer meta, final int lanesOffset, final int laneCount, final int doneOffset,
        final boolean joinable, final Doorbell joinBell, final IdleStrategy idleStrategy, final CloseGuard guard,
        final String description, final FileFaults faults)
    {
        this.faults = faults;
        this.meta = meta;
        this.lanesOffset = lanesOffset;
        this.laneCount = laneCount;
        this.doneOffset = doneOffset;
        this.joinable = joinable;
        this.joinBell = joinBell;
        this.idleStrategy = idleStrategy;
        this.guard = guard;
        this.description = description;
    }

    private int elementsPut()
    {
        return LaneWords.elementsPut(meta, lanesOffset, laneCount);
    }

    int unfinishedTasks()
    {
        return (int)((elementsPut() - meta.getLongVolatile(doneOffset)) & COUNT_MASK);
    }

    void taskDone()
    {
        while (true)
        {
            final long done = meta.getLongVolatile(doneOffset);
            if (((elementsPut() - done) & COUNT_MASK) == 0)
            {
                throw new IllegalStateException("taskDone() called more times than there were elements put in " +
                    description + " (Python's ValueError)");
            }
            if (meta.compareAndSetLong(doneOffset, done, done + 1))
            {
                joinBell.ring();
                return;
            }
        }
    }

    boolean join(final long timeoutNs) throws InterruptedException
    {
        final Waiter joinWaiter = new Waiter(joinBell, idleStrategy, guard);
        faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
        joinWaiter.begin(timeoutNs);
        try
        {
            while (true)
            {
                final int sequence = joinWaiter.sequence();
                if (unfinishedTasks() == 0)
                {
                    return true;
                }
                if (joinWaiter.livenessCheckDue())
                {
                    faults.checkSize(); // the counts may live on a page that survived: the rings did not
                }
                if (!joinWaiter.pause(sequence))
                {
                    return false;
                }
            }
        }
        finally
        {
            joinWaiter.end();
        }
    }

    /**
     * Counts an element that will never be handed to a consumer (discarded or removed) as done.
     */
    void elementAbandoned()
    {
        if (joinable)
        {
            meta.getAndAddLong(doneOffset, 1);
            joinBell.ring();
        }
    }
}
