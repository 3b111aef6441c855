package io.ipckit.shm.sync;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.shm.ShmOptions;
import io.ipckit.shm.internal.ShmOptionsCheck;

import java.util.function.Consumer;

/**
 * Creating and opening the resource files of the synchronisation primitives: every primitive keeps its shared state
 * in the data section of a {@link ResourceFile} of its own kind, laid out by its descriptor.
 * <p>
 * Stateless and thread-safe.
 */
final class SyncFiles
{
    /**
     * Layout version of every sync primitive's file, the only one shared with other processes. Version 2: owners are
     * {@link io.ipckit.core.internal.kit.OwnerToken}s (version 1 packed a 22-bit pid and a 42-bit start time) and
     * waiters sleep on {@link io.ipckit.core.internal.kit.Doorbell}s (flagged protocol) instead of plain wake signals.
     * Version 3: a semaphore's or barrier's slot seized after a death holds the seizing process's token with
     * {@link io.ipckit.core.internal.kit.OwnerToken#RECLAIM_MARK} (version 2 held -1: a process of version 2 would
     * take version 3's marks for dead processes, and one of version 3 would take -1 for a dead seizer, so the two must
     * not share a file). Within version 3, an event's set count took the place of padding: a process of an earlier
     * build of version 3 ignores it and does not count its own sets, so its {@code set(); clear()} pulses can still be
     * missed by a waiter, as before; nothing is misread.
     */
    static final int LAYOUT_VERSION = 3;

    private SyncFiles()
    {
    }

    /**
     * @param name            the resource name.
     * @param kind            its kind.
     * @param dataLengthBytes bytes of shared state.
     * @param persistent      true to keep the file when its creator dies without unlinking it.
     * @param initializer     writes the initial state; may be null when all zeros is the initial state.
     * @return the created, published file.
     */
    static ResourceFile create(
        final String name,
        final ResourceKind kind,
        final int dataLengthBytes,
        final boolean persistent,
        final Consumer<ResourceFile> initializer)
    {
        return ResourceFile.create(name, kind, LAYOUT_VERSION, 0, dataLengthBytes, persistent, initializer);
    }

    /**
     * @param options the caller's options: only {@link ShmOptions#persistent} applies to this kind.
     * @param kind    the kind being created.
     * @param name    its name.
     * @return whether the file outlives its creator.
     * @throws IllegalArgumentException when another option is set.
     */
    static boolean persistent(final ShmOptions options, final ResourceKind kind, final String name)
    {
        return ShmOptionsCheck.applicableOnly(options, kind.displayName() + " \"" + name + "\"",
            ShmOptions.PERSISTENT).persistent();
    }

    /**
     * Opens a file and checks that its data section holds at least {@code minDataLengthBytes}.
     *
     * @param name               the resource name.
     * @param kind               the expected kind.
     * @param minDataLengthBytes the least data length a valid file has.
     * @return the validated file.
     * @throws CorruptResourceException     when the data section is too short.
     * @throws io.ipckit.core.exceptions.IncompatibleVersionException when the file has another layout version.
     */
    static ResourceFile open(final String name, final ResourceKind kind, final long minDataLengthBytes)
    {
        final ResourceFile file = ResourceFile.open(name, kind, LAYOUT_VERSION);
        try
        {
            file.requireLayoutVersion(LAYOUT_VERSION); // earlier versions differ in the owner words and the seize marks
        }
        catch (final RuntimeException ex)
        {
            file.close();
            throw ex;
        }
        checkLength(file, minDataLengthBytes);
        return file;
    }

    /**
     * @param file               an open file.
     * @param minDataLengthBytes the least data length a valid file has.
     * @throws CorruptResourceException when the data section is too short; the file is closed.
     */
    static void checkLength(final ResourceFile file, final long minDataLengthBytes)
    {
        if (file.dataLengthBytes() < minDataLengthBytes)
        {
            final String message = file.kind().displayName() + " \"" + file.name() + "\" has " +
                file.dataLengthBytes() + " bytes of state where " + minDataLengthBytes + " are needed " +
                "(truncated or overwritten); unlink it and create it again";
            file.close();
            throw new CorruptResourceException(message);
        }
    }

    /**
     * @param file the file of a primitive that has been closed.
     * @return the exception to throw for an operation on it.
     */
    static ResourceClosedException closed(final ResourceFile file)
    {
        return new ResourceClosedException(file.kind().displayName() + " \"" + file.name() +
            "\" is closed in this process; open it again to use it");
    }
}
