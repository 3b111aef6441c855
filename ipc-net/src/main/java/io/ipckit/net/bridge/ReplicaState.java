package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static io.ipckit.net.bridge.ReplicaStateDescriptor.*;

/**
 * Where a replica stands in its source log, kept in a mapped file beside the replica log
 * ({@link ReplicaStateDescriptor}) so that it survives the replica's process.
 * <p>
 * Note to maintainers: the invariant is write-ahead. Before each append, {@link #prepare} records the replica
 * log's last index and the source index of the record about to be appended, in the slot that is not current, and
 * then makes that slot current with one release store. After a death at any point, the current slot and the replica
 * log's last index say where to resume ({@link #resumeMode}): the log still ends at the slot's "before" index, so the
 * record was not appended (resume from it), or it has grown, so it was (resume after it). A death before the
 * release store leaves the previous slot current, whose record was appended. This needs the replica log to have no
 * other appender.
 * <p>
 * Not thread-safe: one replica's thread.
 */
final class ReplicaState implements AutoCloseable
{
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;

    private ReplicaState(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
    }

    /**
     * Opens the state file in {@code directory}, creating it (with no record yet) when missing.
     *
     * @param directory the replica log's directory.
     * @return the state.
     * @throws IpcException when the file cannot be created or mapped, or is not a replica state.
     */
    static ReplicaState openOrCreate(final Path directory)
    {
        final Path path = directory.resolve(FILE_NAME);
        try
        {
            if (!Files.exists(path))
            {
                // written whole beside it, then renamed: a death during creation leaves no half-made state
                final Path fresh = directory.resolve(FILE_NAME + ".new");
                final MappedByteBuffer created = IoUtil.mapNewFile(fresh.toFile(), LENGTH, true);
                final UnsafeBuffer init = new UnsafeBuffer(created);
                init.putLong(slotOffset(0) + REPLICA_BEFORE_OFFSET, -1);
                init.putLong(slotOffset(0) + SOURCE_INDEX_OFFSET, NO_RECORD);
                init.putInt(CURRENT_SLOT_OFFSET, 0);
                init.putIntRelease(MAGIC_OFFSET, MAGIC);
                created.force();
                IoUtil.unmap(created);
                Files.move(fresh, path, StandardCopyOption.ATOMIC_MOVE);
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "replica state");
            if (mapped.capacity() != LENGTH || new UnsafeBuffer(mapped).getIntAcquire(MAGIC_OFFSET) != MAGIC)
            {
                IoUtil.unmap(mapped);
                throw new IpcException(path + " is not an ipckit replica state file (" + mapped.capacity() +
                    " bytes, wrong magic); delete the replica log and its state to replicate afresh");
            }
            return new ReplicaState(path, mapped);
        }
        catch (final IOException | IllegalStateException ex)
        {
            throw new IpcException("cannot open the replica state " + path + ": " + ex, ex);
        }
    }

    /**
     * @return the source index of the record the current slot names, or {@link ReplicaStateDescriptor#NO_RECORD}.
     */
    long sourceIndex()
    {
        return buffer.getLong(slotOffset(current()) + SOURCE_INDEX_OFFSET);
    }

    /**
     * Says which source record the replica log ends with, after a death at any point.
     *
     * @param replicaLastIndex the replica log's last index, -1 when empty.
     * @return the current slot's source index when its record was appended, else the other slot's (the record
     *         appended before it, or {@link ReplicaStateDescriptor#NO_RECORD} when none was).
     */
    long appendedSourceIndex(final long replicaLastIndex)
    {
        final int current = current();
        final int slot = slotOffset(current);
        if (buffer.getLong(slot + SOURCE_INDEX_OFFSET) == NO_RECORD ||
            replicaLastIndex != buffer.getLong(slot + REPLICA_BEFORE_OFFSET))
        {
            return buffer.getLong(slot + SOURCE_INDEX_OFFSET);
        }
        // prepared but not appended: the other slot was current before, and its record was appended
        return buffer.getLong(slotOffset(1 - current) + SOURCE_INDEX_OFFSET);
    }

    /**
     * Says where to resume, from the current slot and the replica log's last index.
     *
     * @param replicaLastIndex the replica log's last index, -1 when empty.
     * @return {@link BridgeMessageDescriptor#FROM_START}, {@link BridgeMessageDescriptor#FROM_INDEX} or
     *         {@link BridgeMessageDescriptor#AFTER_INDEX} (of {@link #sourceIndex()}).
     * @throws IpcException when the replica log does not match its state (written by something else, or cut).
     */
    int resumeMode(final long replicaLastIndex)
    {
        final int slot = slotOffset(current());
        final long before = buffer.getLong(slot + REPLICA_BEFORE_OFFSET);
        final long source = buffer.getLong(slot + SOURCE_INDEX_OFFSET);
        if (source == NO_RECORD)
        {
            if (replicaLastIndex != -1)
            {
                throw mismatch("holds records but its state names none", replicaLastIndex);
            }
            return BridgeMessageDescriptor.FROM_START;
        }
        if (replicaLastIndex == before)
        {
            return BridgeMessageDescriptor.FROM_INDEX;
        }
        if (replicaLastIndex > before)
        {
            return BridgeMessageDescriptor.AFTER_INDEX;
        }
        throw mismatch("ends before index " + before + " where its state says it did", replicaLastIndex);
    }

    /**
     * Records, before the append, that the record {@code sourceIndex} is appended after {@code replicaLastIndex}.
     *
     * @param replicaLastIndex the replica log's last index now, -1 when empty.
     * @param sourceIndex      the source index of the record about to be appended.
     */
    void prepare(final long replicaLastIndex, final long sourceIndex)
    {
        final int next = 1 - current();
        final int slot = slotOffset(next);
        buffer.putLong(slot + REPLICA_BEFORE_OFFSET, replicaLastIndex);
        buffer.putLong(slot + SOURCE_INDEX_OFFSET, sourceIndex);
        // release: the slot's two indices are in place before it becomes current
        buffer.putIntRelease(CURRENT_SLOT_OFFSET, next);
    }

    private int current()
    {
        return buffer.getIntAcquire(CURRENT_SLOT_OFFSET) & 1;
    }

    private IpcException mismatch(final String what, final long replicaLastIndex)
    {
        return new IpcException("the replica log beside " + path + " " + what + " (its last index is " +
            replicaLastIndex + "): a replica log must be written by its LogReplica alone; delete the replica " +
            "log and its state to replicate afresh");
    }

    /**
     * Unmaps the file (it stays on disk).
     */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
