package io.ipckit.pipe;

import io.ipckit.core.ResourceName;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.kit.OwnerToken;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import static io.ipckit.pipe.PipeDescriptor.*;

/**
 * Python's {@code multiprocessing.Pipe()} between JVMs: a named file holding a ring in each direction (one ring when
 * one-way). The creating process gets end A with {@link #create}; one other process gets end B with {@link #open}.
 * Each end records its holder's identity (pid and start time), so a survivor learns when its peer died, and a third
 * process trying to open a taken end is refused — unless the holder is dead, in which case the end is taken over.
 * <p>
 * Stateless and thread-safe.
 */
public final class Pipe
{
    private Pipe()
    {
    }

    /**
     * Creates a duplex pipe with default options and returns end A.
     *
     * @param name a valid resource name.
     * @return end A.
     * @throws io.ipckit.core.exceptions.ResourceExistsException when the name exists.
     * @throws io.ipckit.core.exceptions.InvalidNameException    when the name is not valid.
     */
    public static Connection create(final String name)
    {
        return create(name, new PipeOptions());
    }

    /**
     * Creates a pipe and returns end A (the sending end when one-way).
     *
     * @param name    a valid resource name.
     * @param options ring capacity, duplex, and this end's wait strategy and codec.
     * @return end A.
     * @throws io.ipckit.core.exceptions.ResourceExistsException        when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when there is no room for the rings.
     */
    public static Connection create(final String name, final PipeOptions options)
    {
        ResourceName.validate(name);
        final int capacity = options.ringCapacityBytes();
        final boolean duplex = options.duplex();
        final ResourceFile file = ResourceFile.create(name, ResourceKind.PIPE, LAYOUT_VERSION, METADATA_LENGTH,
            dataLength(capacity, duplex), false,
            (resource) ->
            {
                // the rings are zero already: the file was created zero-filled, and openers never touch them
                final AtomicBuffer buffer = resource.buffer();
                final int metadata = resource.metadataOffset();
                buffer.putInt(metadata + RING_CAPACITY_OFFSET, capacity);
                buffer.putInt(metadata + FLAGS_OFFSET, duplex ? FLAG_DUPLEX : 0);
                buffer.putLong(metadata + END_A_TOKEN_OFFSET, OwnerToken.current());
                buffer.putInt(metadata + END_A_STATE_OFFSET, STATE_OPEN);
            });
        return new Connection(file, true, options);
    }

    /**
     * Opens end B of an existing pipe with default options.
     *
     * @param name the pipe's name.
     * @return end B.
     * @see #open(String, PipeOptions)
     */
    public static Connection open(final String name)
    {
        return open(name, new PipeOptions());
    }

    /**
     * Opens end B of an existing pipe (the receiving end when one-way). Only the wait strategy and codec of
     * {@code options} apply; the rest was fixed at creation.
     *
     * @param name    the pipe's name.
     * @param options this end's wait strategy and codec.
     * @return end B.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a pipe.
     * @throws CorruptResourceException                             when the file is damaged.
     * @throws IpcException when end B is held by another live process, or was closed (ends cannot be reopened).
     */
    public static Connection open(final String name, final PipeOptions options)
    {
        final ResourceFile file = ResourceFile.open(name, ResourceKind.PIPE, LAYOUT_VERSION);
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION); // the doorbells' wake protocol changed with layout 2
            validate(file);
            claimEndB(file);
            return new Connection(file, false, options);
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    private static void validate(final ResourceFile file)
    {
        final AtomicBuffer buffer = file.buffer();
        final int metadata = file.metadataOffset();
        final int capacity = buffer.getInt(metadata + RING_CAPACITY_OFFSET);
        final boolean duplex = (buffer.getInt(metadata + FLAGS_OFFSET) & FLAG_DUPLEX) != 0;
        if (file.headerLength() < metadata + METADATA_LENGTH ||
            capacity < PipeOptions.MIN_RING_CAPACITY_BYTES || !BitUtil.isPowerOfTwo(capacity) ||
            file.dataLengthBytes() != dataLength(capacity, duplex))
        {
            throw new CorruptResourceException("pipe \"" + file.name() + "\" has a corrupt layout (ring capacity " +
                capacity + ", " + file.dataLengthBytes() + " data bytes): unlink it and create it again");
        }
    }

    private static void claimEndB(final ResourceFile file)
    {
        final AtomicBuffer buffer = file.buffer();
        final int tokenOffset = file.metadataOffset() + END_B_TOKEN_OFFSET;
        final int stateOffset = file.metadataOffset() + END_B_STATE_OFFSET;
        final long self = OwnerToken.current();
        while (true)
        {
            final long holder = buffer.getLongVolatile(tokenOffset);
            if (buffer.getIntVolatile(stateOffset) == STATE_CLOSED)
            {
                throw new IpcException("end B of pipe \"" + file.name() + "\" was closed by its holder (pid " +
                    OwnerToken.pid(holder) + "); a pipe end cannot be reopened: create a new pipe");
            }
            if (holder == self)
            {
                throw new IpcException("end B of pipe \"" + file.name() + "\" is already open in this process; " +
                    "use the Connection you have");
            }
            if (holder != OwnerToken.NONE && OwnerToken.isAlive(holder))
            {
                throw new IpcException("end B of pipe \"" + file.name() + "\" is taken by the live process pid " +
                    OwnerToken.pid(holder) + "; a pipe connects two processes: create another pipe for this one");
            }
            if (buffer.compareAndSetLong(tokenOffset, holder, self))
            {
                // release store -> the peer sees end B held by this process
                buffer.putIntRelease(stateOffset, STATE_OPEN);
                return;
            }
        }
    }
}
