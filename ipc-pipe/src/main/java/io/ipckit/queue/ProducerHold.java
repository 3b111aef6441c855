package io.ipckit.queue;

import io.ipckit.core.internal.kit.BiasedOwnerLock;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import io.ipckit.pipe.internal.FileFaults;
import io.ipckit.core.internal.wait.AsymmetricFence;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.queue.QueueCore.LOCK_GRACE_NS;

/**
 * How one {@link FifoQueueCore} handle's producer side holds its lane: the lane itself when it is exclusive, else
 * lane 0's producer lock (taken, revoked from a bias, or taken over from a dead holder), the general path's
 * reservation that waits for room on the producers' doorbell, and the rings of the consumers after the lane is let
 * go. {@link ProducerClaims} and {@link FifoProducer} above it put and claim through it; {@link ProducerLane} below it
 * writes the records.
 * <p>
 * Note to maintainers — the invariants this class keeps:
 * <ul>
 * <li>Lane 0's producer lock is a {@link BiasedOwnerLock}: a lone handle keeps it between calls, and a fast put or
 * claim enters it with {@link BiasedOwnerLock#enterBiased()} alone; bounds are checked before that hold, so only an
 * error (a fault, a {@link StackOverflowError}) can end it early, and {@link #exitFastHold} lets it go then too.</li>
 * <li>Consumers are rung after the lock (or the biased hold) is let go, with
 * {@link AsymmetricFence#progressSide()} between the stores and the loads of the waiter counts, and always before
 * this producer waits, so a consumer never sleeps through a published record.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
abstract class ProducerHold extends ProducerLane
{
    final String description;
    final BiasedOwnerLock producerLock = new BiasedOwnerLock();
    final Doorbell producerBell;
    final Doorbell consumerBell;
    final Waiter producerWaiter;
    /** When to look whether the shared lane's producer lock holder is alive. */
    private final LivenessCheckInterval producerHolderCheck = new LivenessCheckInterval();
    /** When a reservation that finds no room by the head hint reads the head word itself (see tryReserve). */
    private final LivenessCheckInterval headCheck = new LivenessCheckInterval();

    boolean producerLocked;
    /**
     * The claim held now was made by {@link ProducerClaims#claimFast}: {@link ProducerClaims#commitFast} may publish
     * it. Here because letting the lane go ends it ({@link #releaseProducerLock}).
     */
    boolean fastClaim;
    private boolean nonBlocking;
    private long producerTimeoutNs;
    private final FileFaults faults;

    ProducerHold(final AtomicBuffer meta, final UnsafeBuffer data, final String description, final int capacity,
        final int maxElements, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter producerWaiter, final FileFaults faults, final int ticketOffset)
    {
        this.faults = faults;
        super(meta, data, capacity, maxElements, laneCount, lanesOffset, ticketOffset);
        this.description = description;
        this.producerBell = producerBell;
        this.consumerBell = consumerBell;
        this.producerWaiter = producerWaiter;
        producerLock.wrap(meta, laneWord(0, LaneDescriptor.PRODUCER_WORD_OFFSET), producerBell);
    }

    /**
     * @return true when this handle holds the shared lane's producer lock word while waiting for its biased holder.
     *         For tests.
     */
    boolean producerTakingPending()
    {
        return producerLock.isPending();
    }

    /**
     * @return true when a call of this handle is registered as a waiter on the producers' doorbell. For tests.
     */
    boolean producerWaiting()
    {
        return producerWaiter.isRegistered();
    }

    /**
     * @return true when this handle keeps the shared lane's producer lock between calls. For tests.
     */
    boolean producerLockBiased()
    {
        return producerLock.isBiased();
    }

    /**
     * Ends the hold of {@link FifoProducer#offerFast(byte[])} (and of a lean claim, held the same way): the biased
     * lock's active word, then the rings. A hold that an error ended (a fault on a page of the source or of a
     * truncated ring, a {@link StackOverflowError}) is let go all the same, or a handle revoking the bias would wait
     * for it while this process lives, and gives up the ticket it may have taken.
     *
     * @param ended false when an error ended the hold: records it published are rung for.
     */
    void exitFastHold(final boolean exclusive, final boolean published, final boolean ended)
    {
        if (!ended)
        {
            abandonTicket();
        }
        if (!exclusive)
        {
            producerLock.exitBiased();
        }
        AsymmetricFence.progressSide(); // between the tail and active stores and the loads of the waiter counts
        if (published || !ended)
        {
            consumerBell.ringIfWaiting();
        }
        if (!exclusive)
        {
            producerBell.ringIfWaiting(); // a revoker waits for the active word
        }
    }

    void startProducerCall(final long timeoutNs)
    {
        producerTimeoutNs = timeoutNs;
        nonBlocking = timeoutNs == 0;
    }

    int reserve(final int payloadLength, final int type, final boolean newElement)
        throws InterruptedException
    {
        while (true)
        {
            final int sequence = producerWaiter.sequence();
            if (!producerLocked)
            {
                producerLocked = exclusiveLane || acquireSharedLane();
            }
            if (producerLocked)
            {
                final int index = tryReserve(payloadLength, type, newElement,
                    producerWaiter.isRegistered() || headCheck.due());
                if (index >= 0)
                {
                    return index;
                }
                if (nonBlocking)
                {
                    return -1;
                }
            }
            ringConsumers(); // never wait while consumers may sleep through records already published
            if (!producerWaiter.isActive())
            {
                // slow path: register as a waiter, then test once more before sleeping
                faults.checkSizeBeforeWait(); // before the wait registers on the doorbell: an atomic add there cannot fault safely
                producerWaiter.begin(nonBlocking ? LOCK_GRACE_NS : producerTimeoutNs);
                continue;
            }
            if (producerLocked)
            {
                // holding the lane and short of room: only a take (which rings) ends this wait; a registered wait
                // reads the head word itself at each look, so a hint left behind by a killed consumer cannot hold it
                producerWaiter.peersWatched();
            }
            if (!producerWaiter.pause(sequence))
            {
                return -1;
            }
        }
    }

    boolean acquireSharedLane()
    {
        if (producerLock.tryAcquire() || producerLock.tryRevoke() ||
            producerHolderCheck.due() && producerLock.tryTakeOverFromDead())
        {
            if (producerLock.takeOverNotice() != OwnerToken.NONE)
            {
                // the dead holder's split element stays incomplete: its readers discard it
                meta.putLongRelease(pInProgress, 0L);
                // a ticket it took and never published is left to the consumers: nobody will publish it
                meta.putLongRelease(laneWord(0, LaneDescriptor.ANNOUNCE_OFFSET), 0L);
            }
            return true;
        }
        return false;
    }

    void ringConsumers()
    {
        if (consumersUnrung)
        {
            consumersUnrung = false;
            consumerBell.ring();
        }
    }

    /**
     * Lets go of the lane this handle holds, then rings the consumers if records were published without a ring, and
     * the producers waiting for the lane.
     *
     * @param published true when the caller just published a record: the consumers are rung without first being
     *                  marked unrung (a store fewer on a fast commit's path).
     */
    void releaseHeldLane(final boolean published)
    {
        producerLocked = false;
        if (!exclusiveLane)
        {
            producerLock.release();
        }
        AsymmetricFence.progressSide(); // between the tail and lock stores and the loads of the waiter counts
        boolean ring = published;
        if (consumersUnrung)
        {
            consumersUnrung = false;
            ring = true;
        }
        if (ring)
        {
            consumerBell.ringIfWaiting();
        }
        if (!exclusiveLane)
        {
            producerBell.ringIfWaiting();
        }
    }

    void releaseProducerLock()
    {
        fastClaim = false;
        if (producerLocked)
        {
            releaseHeldLane(false);
        }
        else
        {
            if (!exclusiveLane)
            {
                producerLock.abandon(); // a taking from a bias that was still waiting for its holder
            }
            ringConsumers();
        }
    }
}
