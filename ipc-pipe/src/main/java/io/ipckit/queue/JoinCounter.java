package io.ipckit.queue;

import io.ipckit.core.internal.kit.CloseGuard;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * The unfinished-task count of a {@link JoinableQueue}: (elements put − elements done), where elements put is the sum
 * over the lanes of their put counts made exact by their tail counts (so it cannot disagree with what was published;
 * {@link LaneDescriptor#PUT_COUNT_OFFSET}) and elements done is one word in the file, counted up by {@code taskDone}
 * and by every element a consumer or a removal abandons. Both are 64-bit: the count is exact however many tasks are
 * unfinished.
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

    private long elementsPut()
    {
        return LaneWords.elementsPut(meta, lanesOffset, laneCount);
    }

    /**
     * @return the unfinished tasks, {@link Integer#MAX_VALUE} when more.
     */
    int unfinishedTasks()
    {
        // done first: it never passes the put count, and puts read after it can only add to the difference
        final long done = meta.getLongVolatile(doneOffset);
        return (int)Math.min(Integer.MAX_VALUE, Math.max(0, elementsPut() - done));
    }

    void taskDone()
    {
        while (true)
        {
            final long done = meta.getLongVolatile(doneOffset);
            if (elementsPut() - done <= 0)
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
