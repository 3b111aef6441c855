package io.ipckit.pipe;

import io.ipckit.core.internal.kit.DoorbellDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import static org.agrona.BitUtil.CACHE_LINE_LENGTH;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * Layout of a pipe file's metadata (after the common header) and data. Each field group sits on its own cache line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Ring Capacity (bytes, 2^n)                   |
 *  +---------------------------------------------------------------+
 *  |       Flags (1 = duplex, 2 = the creator holds end B)         |
 *  +---------------------------------------------------------------+
 *  |                  Padding to the cache line                    |
 *  +---------------------------------------------------------------+
 *  |               End A Owner Token (pid, start time)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          End A State (0 unopened, 1 open, 2 closed)           |
 *  +---------------------------------------------------------------+
 *  |                  Padding to the cache line                    |
 *  +---------------------------------------------------------------+
 *  |                 End B Owner Token, End B State                |
 *  +---------------------------------------------------------------+
 *  |        A->B Data Doorbell (rung by A after a send)            |
 *  +---------------------------------------------------------------+
 *  |        A->B Space Doorbell (rung by B after a receive)        |
 *  +---------------------------------------------------------------+
 *  |        B->A Data Doorbell, B->A Space Doorbell                |
 *  +---------------------------------------------------------------+
 *  Data, from the header length:
 *  +---------------------------------------------------------------+
 *  |   A->B ring: OneToOneRingBuffer, capacity + trailer bytes     |
 *  +---------------------------------------------------------------+
 *  |   B->A ring (duplex only)                                     |
 *  +---------------------------------------------------------------+
 * </pre>
 * In a one-way pipe only the A->B ring exists: end A sends, end B receives. The creator holds end A and the opener
 * end B, unless {@link #FLAG_CREATOR_HOLDS_B} says the creator took end B (a one-way pipe created by its receiver).
 */
public final class PipeDescriptor
{
    /**
     * Layout version of pipe files: 2 since the doorbells' wake signals use {@link io.ipckit.core.internal.wait.WakeSignal}'s
     * flagged protocol (bit 0 of the futex word), which a process of layout 1 would not honour; 3 since
     * {@link #FLAG_CREATOR_HOLDS_B}, which a process of layout 2 would not honour (it would open end B).
     */
    public static final int LAYOUT_VERSION = 3;
    /** Flag: the pipe has a ring in each direction. */
    public static final int FLAG_DUPLEX = 1;
    /** Flag: the creator holds end B (the receiving end of a one-way pipe) and the opener gets end A. */
    public static final int FLAG_CREATOR_HOLDS_B = 2;
    /** End state: nobody has opened the end yet. */
    public static final int STATE_UNOPENED = 0;
    /** End state: a process holds the end. */
    public static final int STATE_OPEN = 1;
    /** End state: the holder closed the end; it cannot be opened again. */
    public static final int STATE_CLOSED = 2;

    /** Offset of the ring capacity in bytes (a power of two, without the trailer). */
    public static final int RING_CAPACITY_OFFSET;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET;
    /** Offset of end A's owner token. */
    public static final int END_A_TOKEN_OFFSET;
    /** Offset of end A's state. */
    public static final int END_A_STATE_OFFSET;
    /** Offset of end B's owner token. */
    public static final int END_B_TOKEN_OFFSET;
    /** Offset of end B's state. */
    public static final int END_B_STATE_OFFSET;
    /** Offset of the doorbell rung when data is sent from A to B. */
    public static final int A_TO_B_DATA_DOORBELL_OFFSET;
    /** Offset of the doorbell rung when B frees space in the A to B ring. */
    public static final int A_TO_B_SPACE_DOORBELL_OFFSET;
    /** Offset of the doorbell rung when data is sent from B to A. */
    public static final int B_TO_A_DATA_DOORBELL_OFFSET;
    /** Offset of the doorbell rung when A frees space in the B to A ring. */
    public static final int B_TO_A_SPACE_DOORBELL_OFFSET;
    /** Length of the metadata in bytes. */
    public static final int METADATA_LENGTH;

    static
    {
        int offset = 0;
        RING_CAPACITY_OFFSET = offset;
        offset += SIZE_OF_INT;
        FLAGS_OFFSET = offset;
        offset = CACHE_LINE_LENGTH;
        END_A_TOKEN_OFFSET = offset;
        offset += SIZE_OF_LONG;
        END_A_STATE_OFFSET = offset;
        offset = 2 * CACHE_LINE_LENGTH;
        END_B_TOKEN_OFFSET = offset;
        offset += SIZE_OF_LONG;
        END_B_STATE_OFFSET = offset;
        offset = 3 * CACHE_LINE_LENGTH;
        A_TO_B_DATA_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        A_TO_B_SPACE_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        B_TO_A_DATA_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        B_TO_A_SPACE_DOORBELL_OFFSET = offset;
        offset += DoorbellDescriptor.LENGTH;
        METADATA_LENGTH = offset;
    }

    private PipeDescriptor()
    {
    }

    /**
     * @param ringCapacityBytes the data capacity of one ring, a power of two.
     * @return the bytes one ring takes in the file, trailer included.
     */
    public static int ringLength(final int ringCapacityBytes)
    {
        return ringCapacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * @param ringCapacityBytes the data capacity of one ring.
     * @param duplex            true for a ring in each direction.
     * @return the data length of the file.
     */
    public static long dataLength(final int ringCapacityBytes, final boolean duplex)
    {
        return (long)ringLength(ringCapacityBytes) * (duplex ? 2 : 1);
    }
}
