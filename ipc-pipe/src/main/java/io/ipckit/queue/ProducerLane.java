package io.ipckit.queue;

import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.internal.kit.ShortCopy;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ipckit.core.internal.kit.MessageAssembler.WHOLE;
import static io.ipckit.queue.LaneWords.COUNT_MASK;
import static io.ipckit.queue.LaneWords.POSITION_MASK;
import static io.ipckit.queue.LaneWords.count;
import static io.ipckit.queue.LaneWords.position;
import static io.ipckit.queue.LaneWords.word;
import static io.ipckit.queue.RecordDescriptor.FRAME_OFFSET;
import static io.ipckit.queue.RecordDescriptor.OVERHEAD;
import static io.ipckit.queue.RecordDescriptor.PADDING;
import static io.ipckit.queue.RecordDescriptor.PAYLOAD_OFFSET;
import static io.ipckit.queue.RecordDescriptor.TRAILER_LENGTH;
import static io.ipckit.queue.RecordDescriptor.commitStamp;
import static io.ipckit.queue.RecordDescriptor.frame;
import static io.ipckit.queue.RecordDescriptor.recordLength;
import static io.ipckit.queue.RecordDescriptor.stampIndex;

/**
 * The lane a {@link FifoProducer} writes and the record-level work on its ring: which lane the handle has, the room
 * between the tail and the (cached) head, reserving a record (and the padding before it at the ring's end),
 * writing one whole record in place, and publishing. {@link FifoProducer} adds the protocol around it: locks,
 * waiting, split elements, batches and claims. It is its superclass rather than a field so that the put path
 * reaches these fields and methods with no object in between.
 * <p>
 * Note to maintainers — the invariants of the ring this class writes:
 * <ul>
 * <li>A lane's tail word (element count and byte position) is written only by its producer (the owner of an
 * exclusive lane, the lock holder of lane 0), with one release store after the record bytes ({@link #publishTail},
 * {@link #putRecordFast}). A process killed anywhere leaves either the old or the new word, so no torn record is
 * ever visible and no committed one is lost.</li>
 * <li>The tail word publishes; each record's commit stamp ({@link RecordDescriptor}, in the trailer of the record
 * before it) is stored after it and only tells consumers early, so the head never passes the tail. A producer
 * zeroes a record's trailer before publishing it, except when the record fills the ring exactly: the trailer then
 * holds the head record's stamp ({@link #trailerFree}). A batch ({@link #putRecordsFast}) stamps its records
 * after the first before its tail word: a consumer reaches them only through the first.</li>
 * <li>The cached head word is only ever behind the real one, so it can only under-estimate the room, and it is
 * dropped when another producer moved the tail. It is refreshed from the lane's head hint
 * ({@link LaneDescriptor#HEAD_HINT_OFFSET}), never ahead of the head, and from the head word itself only by a
 * reservation told to ({@code readHead}: registered waits, and a look every liveness interval), so that producers
 * retrying a full ring do not take the head word's line from the consumer; a hint a killed consumer left behind
 * hides room for at most that interval.</li>
 * </ul>
 * Not thread-safe: the handle's producer {@link HandleGate} serialises the calls.
 */
class ProducerLane
{
    /** What {@link #tailWithRoomFor} returns when the fast path cannot put: never a tail word (positions are
     * multiples of 8). */
    static final long NO_ROOM = -1L;
    /** How far behind the tail word's count a lane's put count may fall before its producer moves it up. */
    static final int PUT_COUNT_STEP = 1 << 20;
    final AtomicBuffer meta;
    final UnsafeBuffer data;
    final int capacity;
    final int mask;
    final int maxElements;
    final int maxRecordPayload;
    final int laneCount;
    final int lanesOffset;
    /**
     * {@link RecordDescriptor#TICKET_LENGTH} in an ordered queue ({@link QueueDescriptor#FLAG_ORDERED}), else 0: the
     * bytes of each record's payload before the element's own.
     */
    final int ticketBytes;
    /** Absolute address of an ordered queue's ticket counter ({@link QueueDescriptor#TICKET_OFFSET}). */
    final long ticketAddress;
    long pendingTailWord;
    /** This handle's lane, -1 before its first put; lane 0 is shared under its producer lock. */
    int producerLane = -1;
    boolean exclusiveLane;
    int pTail;
    int pHead;
    int pHeadHint;
    int pInProgress;
    int pBase;
    /** Absolute addresses of the lane's tail and head words and of its ring, for {@link FifoProducer#offerFast}. */
    long pTailAddress;
    long pHeadAddress;
    long pHeadHintAddress;
    long pRingAddress;
    /** Absolute address of the lane's ticket announcement ({@link LaneDescriptor#ANNOUNCE_OFFSET}). */
    long pAnnounceAddress;
    /** The absolute address of the lane's put count ({@link LaneDescriptor#PUT_COUNT_OFFSET}). */
    long pPutCountAddress;
    /** Whether this queue is joinable: its producers advance the lanes' put counts ({@link #countPuts}). */
    boolean countsPuts;
    /**
     * This handle's announcement is in its lane and not yet cleared: set by {@link #takeTickets}, cleared with the
     * announcement when the ticket's record is published or by {@link #abandonTicket}. Only ever true while this
     * handle holds the lane.
     */
    boolean ticketPending;
    /**
     * The lane's words lie on another page than the ticket counter: a producer then reads the counter before adding
     * to it (see {@link #takeTicket}).
     */
    boolean ticketPageUnread;
    /** The pending record starts an element (WHOLE or BEGIN): publishing it takes a ticket in an ordered queue. */
    boolean pendingNewElement;
    /** The ticket of the element being written (its fragments carry it too). */
    long elementTicket;
    /** A head word read earlier (never ahead of the real one), valid while {@link #cacheTail} is the tail. */
    long headCache;
    /** The tail this handle last published; another tail means another producer wrote since. */
    long cacheTail = -1;
    /** The ring index of the padding record reserved with the pending record, or -1. */
    int pendingPaddingIndex = -1;
    long pendingPaddingPosition;
    /** The ring index and position of the record reserved and not yet published. */
    int pendingRecordIndex;
    long pendingRecordPosition;
    /** Records published whose consumers have not been rung yet (rung when the lock is released, or before waiting). */
    boolean consumersUnrung;

    ProducerLane(final AtomicBuffer meta, final UnsafeBuffer data, final int capacity, final int maxElements,
        final int laneCount, final int lanesOffset, final int ticketOffset)
    {
        this.ticketBytes = ticketOffset >= 0 ? RecordDescriptor.TICKET_LENGTH : 0;
        this.ticketAddress = meta.addressOffset() + Math.max(0, ticketOffset);
        this.meta = meta;
        this.data = data;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxElements = maxElements;
        // a record then takes at most an eighth of the ring
        this.maxRecordPayload = capacity / 8 - OVERHEAD - ticketBytes;
        this.laneCount = laneCount;
        this.lanesOffset = lanesOffset;
    }

    int laneWord(final int lane, final int wordOffset)
    {
        return LaneWords.laneWord(lanesOffset, lane, wordOffset);
    }

    /**
     * Gives this handle its lane before its first put: a free exclusive lane, one whose owner died, or else the
     * shared lane 0. The caller is inside the producer gate.
     */
    void ensureProducerLane()
    {
        if (producerLane >= 0)
        {
            return;
        }
        final int lane = LaneWords.claimExclusiveLane(meta, lanesOffset, laneCount);
        producerLane = lane;
        exclusiveLane = lane != 0;
        pTail = laneWord(lane, LaneDescriptor.TAIL_OFFSET);
        pHead = laneWord(lane, LaneDescriptor.HEAD_OFFSET);
        pHeadHint = laneWord(lane, LaneDescriptor.HEAD_HINT_OFFSET);
        pInProgress = laneWord(lane, LaneDescriptor.IN_PROGRESS_OFFSET);
        pBase = lane * capacity;
        pTailAddress = meta.addressOffset() + pTail;
        pHeadAddress = meta.addressOffset() + pHead;
        pHeadHintAddress = meta.addressOffset() + pHeadHint;
        pRingAddress = data.addressOffset() + pBase;
        pAnnounceAddress = meta.addressOffset() + laneWord(lane, LaneDescriptor.ANNOUNCE_OFFSET);
        pPutCountAddress = meta.addressOffset() + laneWord(lane, LaneDescriptor.PUT_COUNT_OFFSET);
        ticketPageUnread = (pTailAddress >>> 12) != (ticketAddress >>> 12);
        cacheTail = -1;
    }

    /**
     * Gives this handle's exclusive lane back (its elements stay for the consumers). The caller is inside the
     * producer gate.
     */
    void releaseProducerLane()
    {
        if (exclusiveLane)
        {
            LaneWords.releaseExclusiveLane(meta, lanesOffset, producerLane);
            exclusiveLane = false;
            producerLane = -1;
        }
    }

    /**
     * Holding the lane: reads its tail word and checks that {@code bytes} of records for {@code elements} elements
     * fit before the ring's end (else a padding record comes first: the general path) and in the room by the head
     * (cached, then read again when the cache says no).
     *
     * @return the tail word, or {@link #NO_ROOM}.
     */
    long tailWithRoomFor(final long tailAddress, final long cachedTail, final int elements, final int bytes)
    {
        final long tailWord = UnsafeApi.getLongVolatile(null, tailAddress);
        if (countsPuts)
        {
            advancePutCount(tailWord);
        }
        if (bytes > capacity - ((int)position(tailWord) & mask))
        {
            return NO_ROOM;
        }
        if (tailWord != cachedTail || !fits(tailWord, headCache, elements, bytes))
        {
            headCache = UnsafeApi.getLongAcquire(null, pHeadHintAddress); // the hint: see LaneDescriptor
            if (!fits(tailWord, headCache, elements, bytes))
            {
                return NO_ROOM;
            }
        }
        return tailWord;
    }

    /**
     * Holding the lane, with room checked: writes one whole record at the tail with its trailer zeroed, publishes the
     * tail word and stamps the record (see {@link #publishTail}).
     *
     * @param srcBase    the payload's array, or null for an address off the heap.
     * @param srcAddress its address: an offset in {@code srcBase}, or an absolute address.
     * @return the new tail word.
     */
    long putRecordFast(final long ringAddress, final long tailAddress, final long tailWord,
        final Object srcBase, final long srcAddress, final int length)
    {
        final long tail = position(tailWord);
        final int ticketBytes = this.ticketBytes;
        final int required = recordLength(length + ticketBytes);
        final long at = ringAddress + ((int)tail & mask);
        if (ticketBytes != 0)
        {
            UnsafeApi.putInt(at + PAYLOAD_OFFSET, (int)takeTicket()); // first: see takeTicket
        }
        UnsafeApi.putInt(at + FRAME_OFFSET, frame(length + ticketBytes, WHOLE));
        ShortCopy.copy(srcBase, srcAddress, null, at + PAYLOAD_OFFSET + ticketBytes, length);
        final long end = tail + required;
        if (trailerFree(end, headCache))
        {
            UnsafeApi.putInt(at + required - TRAILER_LENGTH, 0); // the next record's stamp, unset (see zeroTrailer)
        }
        final long newTailWord = word(count(tailWord) + 1, end);
        publishWholeRecord(tailAddress, ringAddress, mask, newTailWord, tail);
        if (ticketBytes != 0)
        {
            clearAnnouncement(); // published: no ticket of this lane is missing
        }
        return newTailWord;
    }

    /**
     * Holding the lane, with room checked for all of them before the ring's end: writes records {@code start} to
     * {@code end - 1} (at least one) whole, stamping every record but the first in the trailer of the one before as
     * it goes, zeroes the last one's trailer, then publishes the tail word once and stamps the first record last. A
     * consumer that keeps pace waits at the first record's stamp and sees none of the batch until all of it is
     * written; it then reads the records straight through, each cache line crossing between the cores once, where
     * stamping each record as it is written would move the line a waiting consumer reads back and forth for every
     * record. In an ordered queue the batch takes its tickets at once, a block of consecutive ones
     * ({@link #takeTickets}), and its records carry them in turn.
     * <p>
     * The early stamps are safe: a consumer reaches them only through the first record, which the tail word and its
     * stamp publish after all of them. A producer killed before the tail word publishes none of the batch (in an
     * ordered queue, consumers pass its block of tickets at once: {@code TicketOrderLane#passLostTicket}). A stamp it
     * left, of a record at {@code p}, matters only to a head at exactly {@code p}, which needs a later record that
     * ends at {@code p}; every producer zeroes such a record's trailer (or writes the right stamp there) before
     * publishing it. The exception of a ring exactly full ({@link #trailerFree}) cannot meet such a word: the batch's
     * room check put {@code p} less than the ring's capacity ahead of the head of its time, and heads only move on.
     *
     * @param srcBase    the payloads' array, or null for addresses off the heap.
     * @param srcAddress the address that {@code offsets} count from: an offset in {@code srcBase}, or an absolute one.
     * @return the new tail word.
     */
    long putRecordsFast(final long ringAddress, final long tailAddress, final long tailWord, final Object srcBase,
        final long srcAddress, final int[] offsets, final int[] lengths, final int start, final int end)
    {
        final long first = position(tailWord);
        final int mask = this.mask;
        final int ticketBytes = this.ticketBytes;
        int ticket = ticketBytes != 0 ? (int)takeTickets(end - start) : 0; // before the records' stores: see takeTicket
        long tail = first;
        for (int i = start; i < end; i++)
        {
            final int length = lengths[i];
            final long at = ringAddress + ((int)tail & mask);
            if (tail != first)
            {
                // the trailer of the record before, which needs no zeroing first: nothing reads it before the batch
                UnsafeApi.putInt(at - TRAILER_LENGTH, commitStamp(tail));
            }
            if (ticketBytes != 0)
            {
                UnsafeApi.putInt(at + PAYLOAD_OFFSET, ticket++);
            }
            UnsafeApi.putInt(at + FRAME_OFFSET, frame(length + ticketBytes, WHOLE));
            ShortCopy.copy(srcBase, srcAddress + offsets[i], null, at + PAYLOAD_OFFSET + ticketBytes, length);
            tail += recordLength(length + ticketBytes);
        }
        if (trailerFree(tail, headCache))
        {
            UnsafeApi.putInt(ringAddress + ((int)(tail - TRAILER_LENGTH) & mask), 0); // the next record's stamp, unset
        }
        final long newTailWord = word(count(tailWord) + (end - start), tail);
        publishWholeRecord(tailAddress, ringAddress, mask, newTailWord, first);
        if (ticketBytes != 0)
        {
            clearAnnouncement(); // published: no ticket of this lane is missing
        }
        return newTailWord;
    }

    /**
     * Publishes one record written whole at {@code position}, over the lane's absolute addresses: the release store of
     * the new tail word, then the record's stamp (see {@link #publishTail}).
     */
    static void publishWholeRecord(final long tailAddress, final long ringAddress, final int mask,
        final long newTailWord, final long position)
    {
        // release stores -> publish the record, then stamp it
        UnsafeApi.putLongRelease(null, tailAddress, newTailWord);
        UnsafeApi.putIntRelease(null, ringAddress + stampIndex(position, mask), commitStamp(position));
    }

    /**
     * Holding the lane, with {@code tailWord} from {@link #tailWithRoomFor}: reserves one WHOLE record at the tail for
     * a zero-copy claim, as {@link #tryReserve} does when no padding is needed, over the lane's absolute addresses.
     *
     * @return the claim's index in {@link #data}.
     */
    int reserveFast(final long tailWord, final int length)
    {
        final long tail = position(tailWord);
        final int required = recordLength(length + ticketBytes);
        final int ringIndex = (int)tail & mask;
        final long at = pRingAddress + ringIndex;
        if (ticketBytes != 0)
        {
            elementTicket = takeTicket(); // a claim takes its place in the order when it is made
            UnsafeApi.putInt(at + PAYLOAD_OFFSET, (int)elementTicket);
        }
        final long end = tail + required;
        frameWholeRecord(at, end, length + ticketBytes, required);
        // fields that rarely change are stored only when they do: each store of a claim waits in the store buffer
        // behind the stores to the consumers' cache lines, which are slow to own
        if (pendingPaddingIndex != -1)
        {
            pendingPaddingIndex = -1;
        }
        pendingRecordIndex = pBase + ringIndex;
        pendingRecordPosition = tail;
        pendingTailWord = word(count(tailWord) + 1, end);
        if (!pendingNewElement)
        {
            pendingNewElement = true;
        }
        return pBase + ringIndex + PAYLOAD_OFFSET + ticketBytes;
    }

    /**
     * Holding the lane, with room checked: stores the frame word of a whole record at {@code at} (an absolute
     * address) and zeroes its trailer, unless the ring is exactly full (see {@link #trailerFree}).
     *
     * @param end           the record's end position.
     * @param payloadLength the record's payload length, its ticket included.
     * @param required      the record's length.
     */
    final void frameWholeRecord(final long at, final long end, final int payloadLength, final int required)
    {
        UnsafeApi.putInt(at + FRAME_OFFSET, frame(payloadLength, WHOLE));
        if (trailerFree(end, headCache))
        {
            UnsafeApi.putInt(at + required - TRAILER_LENGTH, 0); // the next record's stamp, unset (see zeroTrailer)
        }
    }

    /**
     * Reserves a record (and the padding before it at the ring's end) at the tail.
     *
     * @param readHead true to read the lane's head word itself when its hint shows no room: a wait that registered,
     *                 or a look at most every liveness interval (a consumer killed between its last head store and
     *                 its hint store leaves the hint behind until a consumer takes from the lane again).
     * @return the payload's index in {@link #data}, or -1 when there is no room.
     */
    int tryReserve(final int payloadLength, final int type, final boolean newElement, final boolean readHead)
    {
        pendingPaddingIndex = -1; // a reservation left by a call that threw is never stamped by a later one
        final long tailWord = meta.getLongVolatile(pTail);
        if (countsPuts)
        {
            advancePutCount(tailWord);
        }
        final long tail = position(tailWord);
        final int recordPayload = payloadLength + ticketBytes;
        final int required = recordLength(recordPayload);
        int index = (int)tail & mask;
        final int toEnd = capacity - index;
        final int padding = required > toEnd ? toEnd : 0;
        // the cached head spares a read of the consumers' cache line per record; it is only ever behind the real
        // head, so it can only under-estimate the room, and it is dropped when another producer moved the tail
        final int bytes = padding + required;
        if (tailWord != cacheTail || !fits(tailWord, headCache, newElement, bytes))
        {
            headCache = meta.getLongAcquire(pHeadHint); // see LaneDescriptor
            if (!fits(tailWord, headCache, newElement, bytes) && readHead)
            {
                headCache = meta.getLongAcquire(pHead);
            }
            if (!fits(tailWord, headCache, newElement, bytes))
            {
                cacheTail = -1;
                return -1;
            }
        }
        if (ticketBytes != 0 && newElement)
        {
            elementTicket = takeTicket(); // before the record's stores: see takeTicket
        }
        if (padding > 0)
        {
            data.putInt(pBase + index + FRAME_OFFSET, frame(padding - OVERHEAD, PADDING));
            zeroTrailer(index, padding);
            pendingPaddingIndex = pBase + index;
            pendingPaddingPosition = tail;
            index = 0;
        }
        data.putInt(pBase + index + FRAME_OFFSET, frame(recordPayload, type));
        if (ticketBytes != 0)
        {
            data.putInt(pBase + index + PAYLOAD_OFFSET, (int)elementTicket); // a fragment carries its element's
        }
        final long end = tail + padding + required;
        if (trailerFree(end, headCache))
        {
            zeroTrailer(index, required);
        }
        pendingRecordIndex = pBase + index;
        pendingRecordPosition = tail + padding;
        pendingTailWord = word(count(tailWord) + (newElement ? 1 : 0), end);
        pendingNewElement = newElement;
        return pBase + index + PAYLOAD_OFFSET + ticketBytes;
    }

    /**
     * Zeroes the trailer of the record reserved at ring index {@code index}, {@code length} bytes long: the word that
     * will hold the commit stamp of the record after it, so that it reads as unpublished until that record is (it
     * may hold payload bytes or a stamp of an earlier lap, or bytes of a producer that died before publishing).
     */
    void zeroTrailer(final int index, final int length)
    {
        data.putInt(pBase + index + length - TRAILER_LENGTH, 0);
    }

    /**
     * @return false when the ring is exactly full with a record ending at {@code end}: its trailer is then the word
     * before the head record, which holds the head record's stamp and must stay (it names a position a lap before
     * the next record's, so it never reads as that record's commit). Checked against the real head when the cached
     * one says full.
     */
    boolean trailerFree(final long end, final long cachedHeadWord)
    {
        return ((end - position(cachedHeadWord)) & POSITION_MASK) < capacity ||
            ((end - position(meta.getLongAcquire(pHead))) & POSITION_MASK) < capacity;
    }

    boolean fits(final long tailWord, final long headWord, final boolean newElement, final int bytes)
    {
        return fits(tailWord, headWord, newElement ? 1 : 0, bytes);
    }

    boolean fits(final long tailWord, final long headWord, final int newElements, final int bytes)
    {
        if (maxElements > 0 && ((count(tailWord) - count(headWord)) & COUNT_MASK) + newElements > maxElements)
        {
            return false;
        }
        return ((position(tailWord) - position(headWord)) & POSITION_MASK) + bytes <= capacity;
    }

    /**
     * Makes this (joinable) queue's producers keep the lanes' put counts: see {@link LaneDescriptor#PUT_COUNT_OFFSET}.
     */
    void countPuts()
    {
        countsPuts = true;
    }

    /**
     * Holding the lane, before writing at {@code tailWord}: moves the lane's put count up to the tail word's count once
     * it is {@link #PUT_COUNT_STEP} behind (a load of the tail's own line otherwise), so that it never falls 2^24
     * behind, where the count of the tail word would no longer tell how far.
     */
    private void advancePutCount(final long tailWord)
    {
        // written only by the lane's holder: a plain load reads this holder's own store or the one before its hold
        final long put = UnsafeApi.getLong(null, pPutCountAddress);
        final int behind = (count(tailWord) - (int)put) & COUNT_MASK;
        if (behind >= PUT_COUNT_STEP)
        {
            UnsafeApi.putLongRelease(null, pPutCountAddress, put + behind);
        }
    }

    void publishTail()
    {
        final boolean announced = ticketBytes != 0 && pendingNewElement;
        // first: a call that an error ends after the tail store (a fault on a stamp's page) still rings
        consumersUnrung = true;
        // release store -> publishes the record bytes and the element count to consumers; they are rung when the
        // call ends (AsymmetricFence.progressSide() orders the store before the waiter counts) or before this
        // producer waits
        meta.putLongRelease(pTail, pendingTailWord);
        // release stores -> stamp the records after the tail: a consumer that sees a stamp finds the tail past it
        if (pendingPaddingIndex >= 0)
        {
            data.putIntRelease(pBase + stampIndex(pendingPaddingPosition, mask), commitStamp(pendingPaddingPosition));
            pendingPaddingIndex = -1;
        }
        data.putIntRelease(pBase + stampIndex(pendingRecordPosition, mask), commitStamp(pendingRecordPosition));
        cacheTail = pendingTailWord;
        if (announced)
        {
            clearAnnouncement(); // published: no ticket of this lane is missing
        }
    }

    /**
     * In an ordered queue, when a record that starts an element has room and before any of its stores: announces a
     * ticket (this process's token in the lane's announcement word: consumers ask whether the announcer is alive, not
     * whoever holds the lane's lock word, which a revoker may hold while the biased producer is still in its hold),
     * then takes the next ticket. The announcement is stored before the atomic add (a full fence on every platform the JDK runs
     * ipckit on) and cleared after the record is published (or after an error that kept it from being published:
     * {@link #abandonTicket}), so a consumer that finds the announcement 0 and the
     * ticket in no lane knows no live producer holds it ({@link TicketOrderLane}). A zero-copy claim takes its ticket
     * when it is made and keeps the announcement until its commit or abort. An atomic operation on a page a shrunk
     * file no longer maps cannot fault safely as a read does, so the counter's page is read first when the lane's
     * words (just read for room) lie on another.
     *
     * @return the ticket.
     */
    long takeTicket()
    {
        return takeTickets(1);
    }

    /**
     * {@link #takeTicket} for a batch: announces once, then takes {@code count} consecutive tickets with one atomic
     * add. Consumers pass such a block at once when its producer dies before publishing it.
     *
     * @param count how many tickets, at least 1.
     * @return the first of them.
     */
    long takeTickets(final int count)
    {
        UnsafeApi.putLongRelease(null, pAnnounceAddress, OwnerToken.current());
        ticketPending = true;
        if (ticketPageUnread)
        {
            UnsafeApi.getLongVolatile(null, ticketAddress);
        }
        return UnsafeApi.getAndAddLong(null, ticketAddress, count);
    }

    /**
     * After an error between {@link #takeTicket} and the publication of the record that carries the ticket (a fault
     * on a page of the source or of a truncated ring, a {@link StackOverflowError}): clears the lane's announcement,
     * as a producer's death leaves it cleared, so that consumers pass the ticket no record will carry instead of
     * waiting for it while this process lives. The unpublished reservation is written over by the lane's next record.
     * Does nothing unless this handle's announcement is pending ({@link #ticketPending}): a call that failed before it
     * held the lane must not clear the announcement of the producer that holds it.
     */
    void abandonTicket()
    {
        if (ticketPending)
        {
            clearAnnouncement();
        }
    }

    /**
     * Clears this handle's announcement in its lane: the record of its ticket is published, or given up.
     */
    final void clearAnnouncement()
    {
        UnsafeApi.putLongRelease(null, pAnnounceAddress, 0L);
        ticketPending = false;
    }

    /**
     * @return the lane this handle puts into: 0 when shared, -1 before its first put. For tests and diagnostics.
     */
    int producerLane()
    {
        return producerLane;
    }
}
