package io.ipckit.queue;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.file.ResourceKind;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.queue.QueueDescriptor.*;

/**
 * Creates and opens queue files, and checks on open that the file is the variant the caller expects.
 */
final class QueueFiles
{
    /**
     * The most bytes a LIFO or priority queue's file takes, header and slots: a slot is reached at an {@code int}
     * offset of a buffer of at most this many bytes (a mapping's reach, {@code MappedFile}).
     */
    static final long MAX_SLOT_FILE_BYTES = Integer.MAX_VALUE - 8;

    private QueueFiles()
    {
    }

    static ResourceFile create(final String name, final int variant, final boolean joinable, final QueueOptions options)
    {
        ResourceName.validate(name);
        final boolean slots = variant != VARIANT_FIFO;
        options.refuseForCreate(name, variantName(variant), slots ?
            QueueOptions.CAPACITY_BYTES_SET | QueueOptions.PRODUCER_LANES_SET | QueueOptions.FIFO_ACROSS_PRODUCERS_SET :
            QueueOptions.SLOT_BYTES_SET);
        final int capacity = slots ?
            (options.maxElements() > 0 ? options.maxElements() : QueueOptions.SLOT_COUNT_DEFAULT) :
            options.capacityBytes();
        final int slotBytes = options.slotBytes();
        // a queue with an element bound keeps it exactly with the shared lane alone
        final int lanes = slots ? 0 : 1 + (options.maxElements() > 0 ? 0 : options.producerLanes());
        if ((long)lanes * capacity > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("queue \"" + name + "\" would need " + lanes + " rings of " + capacity +
                " bytes, over 2 GiB: use fewer producerLanes or a smaller capacityBytes");
        }
        final long dataLength = slots ? (long)capacity * SlotDescriptor.slotLength(slotBytes) : (long)lanes * capacity;
        final long fileLength = ResourceHeaderDescriptor.headerLength(slots ? METADATA_LENGTH : 0) + dataLength;
        if (slots && fileLength > MAX_SLOT_FILE_BYTES)
        {
            throw new IllegalArgumentException(variantName(variant) + " \"" + name + "\" would need " + capacity +
                " slots of " + SlotDescriptor.slotLength(slotBytes) + " bytes, " + fileLength + " bytes with its " +
                "header, over " + MAX_SLOT_FILE_BYTES + ": use a smaller maxElements or slotBytes");
        }
        final int maxMessageBytes = slots ? Math.min(options.maxMessageBytes(), slotBytes) : options.maxMessageBytes();
        final int metadataLength = slots ? METADATA_LENGTH : fifoMetadataLength(lanes);
        return ResourceFile.create(name, ResourceKind.QUEUE, LAYOUT_VERSION, metadataLength, dataLength, false,
            (resource) ->
            {
                // ring and slots are zero already (the file is created zero-filled); openers never initialise them
                final AtomicBuffer buffer = resource.buffer();
                final int metadata = resource.metadataOffset();
                buffer.putInt(metadata + VARIANT_OFFSET, variant);
                // tickets order the lanes; a single ring is in order without them
                final boolean ordered = !slots && lanes > 1 && options.fifoAcrossProducers();
                buffer.putInt(metadata + FLAGS_OFFSET, (joinable ? FLAG_JOINABLE : 0) | (ordered ? FLAG_ORDERED : 0));
                buffer.putInt(metadata + CAPACITY_OFFSET, capacity);
                buffer.putInt(metadata + MAX_ELEMENTS_OFFSET, slots ? capacity : options.maxElements());
                buffer.putInt(metadata + MAX_MESSAGE_BYTES_OFFSET, maxMessageBytes);
                buffer.putInt(metadata + SLOT_PAYLOAD_BYTES_OFFSET, slots ? slotBytes : 0);
                buffer.putInt(metadata + LANE_COUNT_OFFSET, lanes);
            });
    }

    static ResourceFile open(final String name, final int variant, final boolean joinable)
    {
        final ResourceFile file = ResourceFile.open(name, ResourceKind.QUEUE, LAYOUT_VERSION);
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION); // older layouts differ on disk and in the wake protocol
            final AtomicBuffer buffer = file.buffer();
            final int metadata = file.metadataOffset();
            final int actual = buffer.getInt(metadata + VARIANT_OFFSET);
            final boolean actualJoinable = (buffer.getInt(metadata + FLAGS_OFFSET) & FLAG_JOINABLE) != 0;
            if (actual != variant)
            {
                throw new WrongResourceKindException("\"" + name + "\" is a " + variantName(actual) + ", not a " +
                    variantName(variant) + ": open it with the class that created it");
            }
            if (joinable && !actualJoinable)
            {
                throw new WrongResourceKindException("\"" + name + "\" is a queue without task counting, not a " +
                    "JoinableQueue: open it as a SharedQueue, or create it as a JoinableQueue");
            }
            validate(file, variant);
            return file;
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    private static void validate(final ResourceFile file, final int variant)
    {
        final AtomicBuffer buffer = file.buffer();
        final int metadata = file.metadataOffset();
        checkLayout(file, variant, buffer.getInt(metadata + CAPACITY_OFFSET),
            buffer.getInt(metadata + MAX_ELEMENTS_OFFSET), buffer.getInt(metadata + SLOT_PAYLOAD_BYTES_OFFSET),
            buffer.getInt(metadata + LANE_COUNT_OFFSET), buffer.getInt(metadata + FLAGS_OFFSET),
            buffer.getInt(metadata + MAX_MESSAGE_BYTES_OFFSET));
    }

    /**
     * Checks a queue file's layout words as the caller read them: a core builds its rings or slots from these values,
     * not from a second read another process could have changed meanwhile. On failure the file is closed.
     *
     * The longest element ({@code maxMessageBytes}) is at least 0 (what {@link QueueOptions#maxMessageBytes}
     * accepts) and, in a slot queue, at most a slot's payload (the creator writes the smaller of the two).
     *
     * @throws CorruptResourceException when they do not describe this file.
     */
    static void checkLayout(final ResourceFile file, final int variant, final int capacity, final int maxElements,
        final int slotBytes, final int lanes, final int flags, final int maxMessageBytes)
    {
        final boolean ok;
        final int metadataLength;
        if (variant == VARIANT_FIFO)
        {
            ok = capacity >= QueueOptions.MIN_CAPACITY_BYTES && capacity <= QueueOptions.MAX_CAPACITY_BYTES &&
                BitUtil.isPowerOfTwo(capacity) && lanes >= 1 && lanes <= 1 + QueueOptions.MAX_PRODUCER_LANES &&
                (maxElements == 0 || lanes == 1) && ((flags & FLAG_ORDERED) == 0 || lanes > 1) &&
                (flags & ~(FLAG_JOINABLE | FLAG_ORDERED)) == 0 && file.dataLengthBytes() == (long)lanes * capacity &&
                (long)lanes * capacity <= Integer.MAX_VALUE &&
                maxElements >= 0 && maxElements <= QueueOptions.MAX_ELEMENTS_LIMIT;
            metadataLength = ok ? fifoMetadataLength(lanes) : METADATA_LENGTH;
        }
        else
        {
            ok = capacity > 0 && slotBytes > 0 && maxMessageBytes <= slotBytes &&
                file.dataLengthBytes() == (long)capacity * SlotDescriptor.slotLength(slotBytes) &&
                file.headerLength() + file.dataLengthBytes() <= MAX_SLOT_FILE_BYTES;
            metadataLength = METADATA_LENGTH;
        }
        if (!ok || maxMessageBytes < 0 || file.headerLength() < file.metadataOffset() + metadataLength)
        {
            file.close();
            throw new CorruptResourceException("queue \"" + file.name() + "\" has a corrupt layout (capacity " +
                capacity + ", " + lanes + " lanes, " + file.dataLengthBytes() + " data bytes, longest element " +
                maxMessageBytes + " bytes" + (variant == VARIANT_FIFO ? "" : " in slots of " + slotBytes) +
                "): unlink it and create it again");
        }
    }
}
