package io.ipckit.queue;

import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.LivenessCheckInterval;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.Waiter;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.ipckit.core.internal.kit.MessageAssembler.BEGIN;
import static io.ipckit.core.internal.kit.MessageAssembler.END;
import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.REMOVED;
import static io.ipckit.queue.RecordDescriptor.frameLength;
import static io.ipckit.queue.RecordDescriptor.frameType;
import static io.ipckit.queue.RecordDescriptor.recordLength;

/**
 * The order of an ordered queue's elements ({@link QueueDescriptor#FLAG_ORDERED}) on the consumer side: finding the
 * lane whose head holds the next ticket, moving heads past what a dead consumer left, and passing a ticket lost with
 * its producer once no live producer can still publish it. Every method runs under lane 0's consumer lock, the one
 * lock of an ordered queue's consumers, except {@link #anyLaneHasRecords}, the look before taking it.
 * {@link ConsumerLane} takes the records; {@link FifoConsumer} drives the order.
 * <p>
 * Not thread-safe: the handle's consumer {@link HandleGate} serialises the calls.
 */
abstract class TicketOrderLane extends ConsumerLane
{
    /** The offset of the producers' ticket counter ({@link QueueDescriptor#TICKET_OFFSET}); -1 when not ordered. */
    final int ticketCounterOffset;
    /** Looks of {@link #anyLaneHasRecords} at the other lanes by their stamps alone. */
    private int looksWithoutStamp;
    /** The ticket a gap was first seen at, and when (see {@link #passLostTicket}). */
    private long gapTicket = -1;
    private long gapSinceNs;
    /**
     * Per lane: the gap's ticket when a live announcer was first seen in the lane at that gap (else -1), and the
     * lane's tail word read right after that first sighting (see {@link #mayHoldGapTicket}).
     */
    private final long[] announcerGapTicket;
    private final long[] tailAfterAnnouncer;

    TicketOrderLane(final AtomicBuffer meta, final UnsafeBuffer data, final String description,
        final int capacity, final int laneCount, final int lanesOffset, final Doorbell producerBell,
        final Doorbell consumerBell, final Waiter consumerWaiter, final JoinCounter joinCounter,
        final int ticketCounterOffset, final int maxElements)
    {
        super(meta, data, description, capacity, laneCount, lanesOffset, producerBell, consumerBell, consumerWaiter,
            joinCounter, ticketCounterOffset >= 0, maxElements);
        this.ticketCounterOffset = ticketCounterOffset;
        this.announcerGapTicket = new long[laneCount];
        Arrays.fill(announcerGapTicket, -1L);
        this.tailAfterAnnouncer = new long[laneCount];
    }

    /** {@link #laneOfNextTicket}: no lane has a published record at its head. */
    private static final int NO_TICKET = -1;
    /** {@link #laneOfNextTicket}: lanes hold later tickets, the next one is in none (being published, or lost). */
    static final int TICKET_GAP = -2;
    private static final int HEAD_NONE = 0;
    private static final int HEAD_NEXT = 1;
    private static final int HEAD_LATER = 2;
    private static final int HEAD_PASSED = 3;

    /**
     * @return true when some lane has a published record at its head: a look without the lock, before taking it.
     */
    boolean anyLaneHasRecords()
    {
        final boolean registered = consumerWaiter.isRegistered();
        if (laneHasRecords(ticketLane, registered))
        {
            return true;
        }
        // the other lanes by their stamps alone (a consumer spinning on an empty queue looks here every few
        // nanoseconds: measured, the whole look at each lane made a round trip about 20 ns slower per lane); the
        // whole look, which finds a record a producer killed before its stamp left, every 64th time or when waiting
        final boolean whole = registered || (looksWithoutStamp++ & (LOOKS_PER_CLOCK_READ - 1)) == 0;
        for (int i = 1; i < laneCount; i++)
        {
            final int lane = ticketLane + i < laneCount ? ticketLane + i : ticketLane + i - laneCount;
            if (whole ? laneHasRecords(lane, registered) : isStampedAt(lane, headPosition(lane)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Holding an ordered queue's consumer lock: finds the lane whose head record starts the element with the next
     * ticket, looking first at the lane of the last element taken. On the way it moves lane heads past what is not
     * to be taken: records before the next ticket (one a consumer killed after storing the next ticket left behind,
     * and the rest of an element whose start a dead consumer took), and the next ticket's own remains when its
     * element was removed or its start taken by a dead consumer; passing those moves the next ticket on.
     *
     * @return the lane, {@link #NO_TICKET} or {@link #TICKET_GAP}.
     */
    int laneOfNextTicket(final boolean readTail)
    {
        while (true)
        {
            int outcome = NO_TICKET;
            boolean passed = false;
            for (int i = 0; i < laneCount && !passed; i++)
            {
                final int lane = ticketLane + i < laneCount ? ticketLane + i : ticketLane + i - laneCount;
                final int look = lookAtLaneHead(lane, readTail);
                if (look == HEAD_NEXT)
                {
                    ticketLane = lane;
                    return lane;
                }
                passed = look == HEAD_PASSED;
                if (look == HEAD_LATER)
                {
                    outcome = TICKET_GAP;
                }
            }
            if (!passed)
            {
                return outcome;
            }
        }
    }

    /**
     * Selects {@code lane} and looks at its head, moving it past the records {@link #laneOfNextTicket} passes.
     *
     * @return {@link #HEAD_NEXT}, {@link #HEAD_LATER} (a later ticket), {@link #HEAD_PASSED} (the next ticket moved
     * on and the lane holds no record of the new one: the other lanes must be looked at again) or
     * {@link #HEAD_NONE}.
     */
    private int lookAtLaneHead(final int lane, final boolean readTail)
    {
        if (!laneHasRecords(lane, readTail))
        {
            return HEAD_NONE; // most lanes, most of the time: a look at the head and its stamp, no lane selected
        }
        selectConsumerLane(lane);
        final long headWord = meta.getLongVolatile(cHead);
        long position = position(headWord);
        int elements = count(headWord);
        boolean passed = false;
        int look = HEAD_NONE;
        while (isStamped(cBase, position) || publishedByTail(lane, position, readTail))
        {
            final int index = cBase + ((int)position & mask);
            final int frame = checkedFrame(index);
            final int type = frameType(frame);
            final int ahead = type == PADDING ? -1 : data.getInt(index + PAYLOAD_OFFSET) - (int)nextTicket;
            if (ahead > 0)
            {
                look = HEAD_LATER;
                break;
            }
            if (ahead == 0 && (type == WHOLE || type == BEGIN))
            {
                look = HEAD_NEXT;
                break;
            }
            position += recordLength(frameLength(frame));
            if (ahead < 0 && type != PADDING && (type == WHOLE || type == BEGIN))
            {
                elements++; // taken by a consumer killed before it moved the head: counted now
            }
            else if (ahead == 0 && (type == REMOVED || type == END))
            {
                advanceTicket(); // removed (counted then), or the end of an element a dead consumer began
                passed = true;
            }
        }
        if (position != position(headWord))
        {
            // release store -> returns what was passed to producers
            meta.putLongRelease(cHead, word(elements, position));
            producersUnrung = true;
        }
        return passed && look != HEAD_NEXT ? HEAD_PASSED : look;
    }

    /**
     * Holding an ordered queue's consumer lock, with {@link #laneOfNextTicket} finding a {@link #TICKET_GAP}: after
     * the same ticket has been missing for {@link LivenessCheckInterval#INTERVAL_NS}, passes it when no live producer
     * that may hold it announces a ticket ({@link LaneDescriptor#ANNOUNCE_OFFSET}, {@link #mayHoldGapTicket}) and no
     * lane holds it after that look (a producer clears its announcement only after publishing, and takes a ticket
     * only after announcing, so one announcing nothing now either published the ticket, found by the look, or will
     * take a later one). Every lane is sampled at each look, so a lane whose producers keep announcing (claims held
     * open back to back) holds the gap for two looks at most once it publishes.
     * <p>
     * The same look passes the tickets after it, one by one, while a look finds each in no lane and moves no head
     * itself: the rest of a block of tickets that a batch took at once and its producer died with
     * ({@code ProducerLane#putRecordsFast}). Such a ticket lies below every lane's head, so below the later ticket
     * that the look which found the gap saw at a head (that record stays at its lane's head until a look takes it or
     * passes it, and either stops the passing). That later ticket's record was published before the announcements
     * were read, and each passed ticket was taken before it, by a producer that had announced by then. None
     * announces now, or one does in a lane that has published since it was first seen announcing at this gap: that
     * one took its ticket after the sighting, when the later ticket was already published (no consumer takes past
     * the gap meanwhile). So no live producer holds a passed ticket, and a record of one published after the
     * announcements were read would have been found by the look. A look that moves the next ticket itself (past a
     * removed element's record) may have gone beyond that later ticket, so the passing stops there, as it does
     * for the first ticket: the next gap is looked at anew.
     *
     * @return true when the ticket was passed, or found after all: look at the lanes again.
     */
    boolean passLostTicket()
    {
        final long nowNs = System.nanoTime();
        if (gapTicket != nextTicket)
        {
            gapTicket = nextTicket;
            gapSinceNs = nowNs;
            return false;
        }
        if (nowNs - gapSinceNs < LivenessCheckInterval.INTERVAL_NS)
        {
            return false;
        }
        gapSinceNs = nowNs;
        if (meta.getLongVolatile(ticketCounterOffset) - nextTicket <= 0)
        {
            return false; // not taken yet: no producer can have died with it (a later ticket read is not one)
        }
        boolean announced = false;
        for (int lane = 0; lane < laneCount; lane++)
        {
            final long announcer = meta.getLongVolatile(laneWord(lane, LaneDescriptor.ANNOUNCE_OFFSET));
            if (announcer != OwnerToken.NONE && OwnerToken.isAlive(announcer) && mayHoldGapTicket(lane))
            {
                announced = true;
            }
        }
        if (announced)
        {
            return false;
        }
        // the tail words too: a producer killed between its tail word and its stamp published its record
        long gap = nextTicket;
        while (laneOfNextTicket(true) == TICKET_GAP && nextTicket == gap)
        {
            advanceTicket(); // its producer died with it (its put never returned), and so on: see above
            gap = nextTicket;
        }
        return true;
    }

    /**
     * A live announcer was just seen in {@code lane} at the gap of {@link #nextTicket}: whether it may hold that
     * ticket. Only the producer holding a lane announces in it and stores its tail word, and it clears its announcement
     * after it publishes. So when the lane's tail word, read after a live announcement was seen at this gap, has
     * moved since, the producer then announcing has published (the gap's ticket among its records, if it held it,
     * which the look after this one finds), and whoever announces now took its ticket after the gap's was taken: a
     * later one. Records the tail word at the first sighting.
     *
     * @return false when the lane has published since a live announcer was first seen in it at this gap.
     */
    private boolean mayHoldGapTicket(final int lane)
    {
        final long tail = LaneWords.tailWord(meta, lanesOffset, lane); // after the announcement: see above
        if (announcerGapTicket[lane] == nextTicket)
        {
            return tail == tailAfterAnnouncer[lane];
        }
        announcerGapTicket[lane] = nextTicket;
        tailAfterAnnouncer[lane] = tail;
        return true;
    }

    /**
     * Holding an ordered queue's consumer lock taken over from a dead consumer: moves every lane's head past the
     * records before the next ticket, reading tail words too. A consumer killed between storing the next ticket and
     * its head store leaves such a record at one lane's head, and one left there for 2^31 tickets would read as a
     * later one.
     */
    void passRecordsBeforeNextTicket()
    {
        final int selected = cLane;
        for (int lane = 0; lane < laneCount; lane++)
        {
            lookAtLaneHead(lane, true);
        }
        selectConsumerLane(selected);
    }
}
