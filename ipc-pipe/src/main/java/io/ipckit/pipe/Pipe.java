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
 * one-way). The creating process gets one end with {@link #create} (end A, the sending end of a one-way pipe, unless
 * {@link PipeOptions#creatorReceives}); one other process gets the other end with {@link #open}.
 * Each end records its holder's identity (pid and start time), so a survivor learns when its peer died, and a third
 * process trying to open a taken end is refused — unless the holder is dead, in which case the end is taken over.
 * A receiving end taken over delivers at least once: a read moves the ring's head only after its handler returned, so
 * the records of a read its dead holder had begun (one for a receive, up to the limit of a
 * {@link Connection#drain drain}) come again, and none is lost.
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
     * @throws IllegalArgumentException when a default given by a {@link PipeOptions} system property is refused;
     *                                  the message names the property.
     */
    public static Connection create(final String name)
    {
        return create(name, new PipeOptions());
    }

    /**
     * Creates a pipe and returns the creator's end: end A (the sending end when one-way), or end B (the receiving
     * end) of a one-way pipe with {@link PipeOptions#creatorReceives(boolean)}.
     *
     * @param name    a valid resource name.
     * @param options ring capacity, duplex, which end the creator gets, and this end's wait strategy and codec.
     * @return the creator's end.
     * @throws io.ipckit.core.exceptions.ResourceExistsException        when the name exists.
     * @throws io.ipckit.core.exceptions.SharedMemoryExhaustedException when there is no room for the rings.
     * @throws IllegalArgumentException when {@link PipeOptions#creatorReceives(boolean)} is set on a duplex pipe, or
     *                                  a ring capacity given by {@link PipeOptions#RING_CAPACITY_PROP_NAME} is refused.
     */
    public static Connection create(final String name, final PipeOptions options)
    {
        ResourceName.validate(name);
        options.validateForCreate(name);
        final int capacity = options.ringCapacityBytes();
        final boolean duplex = options.duplex();
        final boolean creatorHoldsB = options.creatorReceives();
        if (duplex && creatorHoldsB)
        {
            throw new IllegalArgumentException("PipeOptions.creatorReceives applies to one-way pipes only, pipe \"" +
                name + "\" would be duplex: set duplex(false) too, or leave creatorReceives unset");
        }
        final ResourceFile file = ResourceFile.create(name, ResourceKind.PIPE, LAYOUT_VERSION, METADATA_LENGTH,
            dataLength(capacity, duplex), false,
            (resource) ->
            {
                // the rings are zero already: the file was created zero-filled, and openers never touch them
                final AtomicBuffer buffer = resource.buffer();
                final int metadata = resource.metadataOffset();
                buffer.putInt(metadata + RING_CAPACITY_OFFSET, capacity);
                buffer.putInt(metadata + FLAGS_OFFSET,
                    (duplex ? FLAG_DUPLEX : 0) | (creatorHoldsB ? FLAG_CREATOR_HOLDS_B : 0));
                buffer.putLong(metadata + (creatorHoldsB ? END_B_TOKEN_OFFSET : END_A_TOKEN_OFFSET),
                    OwnerToken.current());
                buffer.putInt(metadata + (creatorHoldsB ? END_B_STATE_OFFSET : END_A_STATE_OFFSET), STATE_OPEN);
            });
        return new PipeConnection(file, !creatorHoldsB, options, capacity, duplex);
    }

    /**
     * Opens the other end of an existing pipe with default options.
     *
     * @param name the pipe's name.
     * @return the end the creator did not take.
     * @see #open(String, PipeOptions)
     * @throws IllegalArgumentException when a default given by a {@link PipeOptions} system property is refused;
     *                                  the message names the property.
     */
    public static Connection open(final String name)
    {
        return open(name, new PipeOptions());
    }

    /**
     * Opens the end of an existing pipe that its creator did not take: end B (the receiving end when one-way), or
     * end A (the sending end) of a one-way pipe created with {@link PipeOptions#creatorReceives(boolean)}. Only the
     * wait strategy and codec of {@code options} apply.
     *
     * @param name    the pipe's name.
     * @param options this end's wait strategy and codec.
     * @return the end the creator did not take.
     * @throws IllegalArgumentException when {@code options} sets an option fixed at creation (ring capacity, duplex,
     *                                  creatorReceives); the message names it.
     * @throws io.ipckit.core.exceptions.ResourceNotFoundException  when no such name exists.
     * @throws io.ipckit.core.exceptions.WrongResourceKindException when the name is not a pipe.
     * @throws CorruptResourceException                             when the file is damaged.
     * @throws IpcException when the end is held by another live process, or was closed (ends cannot be reopened).
     */
    public static Connection open(final String name, final PipeOptions options)
    {
        if (options.creationOnlyOption() != null)
        {
            throw new IllegalArgumentException("PipeOptions." + options.creationOnlyOption() + " applies only when " +
                "a pipe is created, not to Pipe.open(\"" + name + "\"): the creator fixed it; leave it unset here");
        }
        final ResourceFile file = ResourceFile.open(name, ResourceKind.PIPE, LAYOUT_VERSION);
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION); // layout 2 changed the wake protocol, 3 added who holds B
            // each layout word is read once: the rings are built from the values checked, whatever another process
            // writes meanwhile
            final int metadata = file.metadataOffset();
            final int capacity = file.buffer().getInt(metadata + RING_CAPACITY_OFFSET);
            final int flags = file.buffer().getInt(metadata + FLAGS_OFFSET);
            final boolean duplex = (flags & FLAG_DUPLEX) != 0;
            checkLayout(file, capacity, duplex);
            final boolean endA = (flags & FLAG_CREATOR_HOLDS_B) != 0;
            claimEnd(file, endA);
            return new PipeConnection(file, endA, options, capacity, duplex);
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
    }

    /**
     * Checks a pipe file's layout words as the caller read them: the rings are built from these values, not from a
     * second read another process could have changed meanwhile.
     *
     * @throws CorruptResourceException when they do not describe this file.
     */
    private static void checkLayout(final ResourceFile file, final int capacity, final boolean duplex)
    {
        if (file.headerLength() < file.metadataOffset() + METADATA_LENGTH ||
            capacity < PipeOptions.MIN_RING_CAPACITY_BYTES || !BitUtil.isPowerOfTwo(capacity) ||
            file.dataLengthBytes() != dataLength(capacity, duplex))
        {
            throw new CorruptResourceException("pipe \"" + file.name() + "\" has a corrupt layout (ring capacity " +
                capacity + ", " + file.dataLengthBytes() + " data bytes): unlink it and create it again");
        }
    }

    private static void claimEnd(final ResourceFile file, final boolean endA)
    {
        final AtomicBuffer buffer = file.buffer();
        final int tokenOffset = file.metadataOffset() + (endA ? END_A_TOKEN_OFFSET : END_B_TOKEN_OFFSET);
        final int stateOffset = file.metadataOffset() + (endA ? END_A_STATE_OFFSET : END_B_STATE_OFFSET);
        final String end = endA ? "end A" : "end B";
        final long self = OwnerToken.current();
        while (true)
        {
            final long holder = buffer.getLongVolatile(tokenOffset);
            if (buffer.getIntVolatile(stateOffset) == STATE_CLOSED)
            {
                throw new IpcException(end + " of pipe \"" + file.name() + "\" was closed by its holder (pid " +
                    OwnerToken.pid(holder) + "); a pipe end cannot be reopened: create a new pipe");
            }
            if (holder == self)
            {
                throw new IpcException(end + " of pipe \"" + file.name() + "\" is already open in this process; " +
                    "use the Connection you have");
            }
            if (holder != OwnerToken.NONE && OwnerToken.isAlive(holder))
            {
                throw new IpcException(end + " of pipe \"" + file.name() + "\" is taken by the live process pid " +
                    OwnerToken.pid(holder) + "; a pipe connects two processes: create another pipe for this one");
            }
            if (buffer.compareAndSetLong(tokenOffset, holder, self))
            {
                // release store -> the peer sees the end held by this process
                buffer.putIntRelease(stateOffset, STATE_OPEN);
                return;
            }
        }
    }
}
