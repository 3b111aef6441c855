package io.ipckit.durable;

import io.ipckit.core.ResourceName;
import io.ipckit.core.codec.Codec;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.durable.internal.ChronicleFlags;
import io.ipckit.durable.internal.LogDoorbellDescriptor;
import io.ipckit.durable.internal.LogDoorbellFile;
import io.ipckit.durable.internal.LogFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens (or creates) a log's directory for a {@link SharedLog} handle: checks the files' heads, creates or maps the
 * doorbell file, builds Chronicle's queue, checks the roll cycle, and turns whatever Chronicle throws into an ipckit
 * exception naming the directory. Stateless.
 */
final class LogOpener
{
    /**
     * Chronicle's timeout; its write lock times out after 1.5 times this, then checks whether the holder's process
     * is alive and takes the lock over if not. Chronicle's default (10 s) would stall every live appender that long
     * after an appender died holding the lock.
     */
    private static final long CHRONICLE_TIMEOUT_MS = 1_000;

    /**
     * The metadata key Chronicle's appender creates, the first time it starts a cycle while the log already holds
     * one, to remember up to which cycle it wrote end-of-file markers. Every other key of the metadata file
     * (the queue's own, its locks', a named reader's position, version and lock) is created under the file's
     * cross-process lock; this one is created under the queue's write lock only, which excludes other appenders but
     * not a process creating one of those keys: both append their entry at the same end of the file, and the loser
     * fails ("Data at N overwritten? Expected: 0 was ...") whether it is the reader being opened or the appender.
     * Creating it at open, under the file's lock, leaves Chronicle nothing to create without that lock.
     */
    static final String NORMALISED_EOFS_KEY = "normalisedEOFsTo";

    enum Mode
    {
        CREATE, OPEN, OPEN_OR_CREATE
    }

    private LogOpener()
    {
    }

    static Path resolve(final String name)
    {
        return SharedLogOptions.defaultDirectory().resolve(ResourceName.validate(name));
    }

    static <T> SharedLog<T> open(
        final Path directory, final Codec<T> codec, final SharedLogOptions givenOptions, final Mode mode)
    {
        Objects.requireNonNull(codec, "codec");
        ChronicleFlags.check();
        final SharedLogOptions options = givenOptions.copy();
        final Path dir = directory.toAbsolutePath().normalize();
        switch (mode)
        {
            case CREATE ->
            {
                if (Files.isDirectory(dir) && LogFiles.holdsLog(dir))
                {
                    throw new ResourceExistsException("cannot create a log in " + dir + ": it already holds one; " +
                        "open it, delete the directory first, or choose another");
                }
                createDirectories(dir);
            }
            case OPEN ->
            {
                if (!Files.isDirectory(dir) || !LogDoorbellFile.exists(dir))
                {
                    throw new ResourceNotFoundException("no log in " + dir + (Files.isDirectory(dir) &&
                        LogFiles.holdsLog(dir) ? " (it holds Chronicle Queue files but no " +
                        LogDoorbellDescriptor.FILE_NAME + ": not an ipckit log)" : "") +
                        ": create it first, or check the directory (" + SharedLogOptions.DIRECTORY_PROP_NAME + ")");
                }
            }
            case OPEN_OR_CREATE -> createDirectories(dir);
            default -> throw new IllegalStateException(mode.toString());
        }
        LogFiles.checkHeads(dir);
        final LogDoorbellFile doorbellFile = LogDoorbellFile.createOrOpen(dir, mode == Mode.CREATE);
        SingleChronicleQueue queue = null;
        try
        {
            final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir)
                .checkInterrupts(false)
                .timeoutMS(CHRONICLE_TIMEOUT_MS);
            if (mode == Mode.CREATE || options.rollCycleSet() || !Files.exists(dir.resolve(LogFiles.METADATA_FILE)))
            {
                builder.rollCycle(options.rollCycle().chronicle());
            }
            if (options.clock() != null)
            {
                builder.timeProvider(options.clock());
            }
            queue = builder.build();
            final LogRollCycle actual = LogRollCycle.of(queue.rollCycle());
            if (options.rollCycleSet() && actual != options.rollCycle())
            {
                throw new IllegalArgumentException("the log in " + dir + " rolls " + (actual == null ?
                    queue.rollCycle() : actual) + ", not " + options.rollCycle() + ": rollCycle is fixed when a log " +
                    "is created; leave it unset to open the log");
            }
            options.rollCycle(actual == null ? LogRollCycle.DAILY : actual);
            createUnlockedKeys(queue);
            queue.lastIndex(); // maps the newest cycle's header now, so corruption shows at open
            return new SharedLog<>(dir, codec, options, queue, doorbellFile);
        }
        catch (final RuntimeException | Error ex)
        {
            if (queue != null)
            {
                queue.close();
            }
            doorbellFile.close();
            if (ex instanceof IpcException || ex instanceof IllegalArgumentException)
            {
                throw ex;
            }
            if (ex instanceof Error)
            {
                throw new IpcException("cannot open the log in " + dir + ": Chronicle Queue failed with " + ex, ex);
            }
            throw new CorruptLogException("cannot open the log in " + dir + ": " + ex + "; one of its files " +
                LogFiles.cycleFiles(dir) + " or " + LogFiles.METADATA_FILE + " is corrupt or was written by an " +
                "incompatible Chronicle Queue; restore the directory from a backup", ex);
        }
    }

    /**
     * Creates, under the metadata file's cross-process lock, the key Chronicle would otherwise create without it
     * ({@link #NORMALISED_EOFS_KEY}). A new key holds Chronicle's "no value" (Long.MIN_VALUE, whose low 32 bits, the
     * only ones Chronicle reads as the cycle, are 0), so the first normalisation starts at the first cycle, as it
     * does when Chronicle creates the key itself; an existing key is read, never changed.
     */
    private static void createUnlockedKeys(final SingleChronicleQueue queue)
    {
        queue.metaStore().doWithExclusiveLock((store) -> queue.tableStoreGet(NORMALISED_EOFS_KEY));
    }

    private static void createDirectories(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot create the log directory " + dir + ": " + ex, ex);
        }
    }
}
