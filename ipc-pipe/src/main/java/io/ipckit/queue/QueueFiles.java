package io.ipckit.queue;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.queue.QueueDescriptor.*;

/**
 * Creates and opens queue files, and checks on open that the file is the variant the caller expects.
 */
final class QueueFiles
{
    private QueueFiles()
    {
    }

    static ResourceFile create(final String name, final int variant, final boolean joinable, final QueueOptions options)
    {
        ResourceName.validate(name);
        final boolean slots = variant != VARIANT_FIFO;
        final int capacity = slots ?
            (options.maxElements() > 0 ? options.maxElements() : QueueOptions.SLOT_COUNT_DEFAULT) :
            options.capacityBytes();
        final int slotBytes = options.slotBytes();
        final long dataLength = slots ? (long)capacity * SlotDescriptor.slotLength(slotBytes) : capacity;
        final int maxMessageBytes = slots ? Math.min(options.maxMessageBytes(), slotBytes) : options.maxMessageBytes();
        return ResourceFile.create(name, ResourceKind.QUEUE, LAYOUT_VERSION, METADATA_LENGTH, dataLength, false,
            (resource) ->
            {
                // ring and slots are zero already (the file is created zero-filled); openers never initialise them
                final AtomicBuffer buffer = resource.buffer();
                final int metadata = resource.metadataOffset();
                buffer.putInt(metadata + VARIANT_OFFSET, variant);
                buffer.putInt(metadata + FLAGS_OFFSET, joinable ? FLAG_JOINABLE : 0);
                buffer.putInt(metadata + CAPACITY_OFFSET, capacity);
                buffer.putInt(metadata + MAX_ELEMENTS_OFFSET, slots ? capacity : options.maxElements());
                buffer.putInt(metadata + MAX_MESSAGE_BYTES_OFFSET, maxMessageBytes);
                buffer.putInt(metadata + SLOT_PAYLOAD_BYTES_OFFSET, slots ? slotBytes : 0);
            });
    }

    static ResourceFile open(final String name, final int variant, final boolean joinable)
    {
        final ResourceFile file = ResourceFile.open(name, ResourceKind.QUEUE, LAYOUT_VERSION);
        try
        {
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
        final int capacity = buffer.getInt(metadata + CAPACITY_OFFSET);
        final int maxElements = buffer.getInt(metadata + MAX_ELEMENTS_OFFSET);
        final int slotBytes = buffer.getInt(metadata + SLOT_PAYLOAD_BYTES_OFFSET);
        final boolean ok;
        if (variant == VARIANT_FIFO)
        {
            ok = capacity >= QueueOptions.MIN_CAPACITY_BYTES && capacity <= QueueOptions.MAX_CAPACITY_BYTES &&
                BitUtil.isPowerOfTwo(capacity) && file.dataLengthBytes() == capacity &&
                maxElements >= 0 && maxElements <= QueueOptions.MAX_ELEMENTS_LIMIT;
        }
        else
        {
            ok = capacity > 0 && slotBytes > 0 &&
                file.dataLengthBytes() == (long)capacity * SlotDescriptor.slotLength(slotBytes);
        }
        if (!ok || file.headerLength() < metadata + METADATA_LENGTH)
        {
            throw new CorruptResourceException("queue \"" + file.name() + "\" has a corrupt layout (capacity " +
                capacity + ", " + file.dataLengthBytes() + " data bytes): unlink it and create it again");
        }
    }
}
