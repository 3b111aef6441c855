package io.ipckit.bench.harness.messaging;

import io.ipckit.core.exceptions.IpcTimeoutException;
import io.ipckit.core.file.MappedFile;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.FAILED_OFFSET;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.FILE_LENGTH;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.GO_OFFSET;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.GO_TIME_NS_OFFSET;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.READY_COUNT_OFFSET;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.SLOT_COUNT;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.consumedOffset;
import static io.ipckit.bench.harness.messaging.ControlFileDescriptor.finalCountOffset;

/**
 * The start barrier and stop agreement of one measurement, in a small mapped file laid out by
 * {@link ControlFileDescriptor}: workers report ready, wait for go, producers publish their final counts and
 * consumers their consumed counts. Thread-safe and process-safe.
 */
public final class ControlFile implements AutoCloseable
{
    private static final long PARK_NS = 50_000;

    private final MappedFile file;
    private final AtomicBuffer buffer;

    private ControlFile(final MappedFile file)
    {
        this.file = file;
        this.buffer = file.buffer();
    }

    /**
     * Creates the file (zeroed) in the shared directory.
     *
     * @param name a resource name.
     * @return the control file.
     */
    public static ControlFile create(final String name)
    {
        return new ControlFile(MappedFile.create(name, FILE_LENGTH));
    }

    /**
     * Opens an existing control file.
     *
     * @param name its name.
     * @return the control file.
     */
    public static ControlFile open(final String name)
    {
        return new ControlFile(MappedFile.open(name));
    }

    /**
     * Counts this worker as ready.
     */
    public void markReady()
    {
        buffer.getAndAddInt(READY_COUNT_OFFSET, 1);
    }

    /**
     * @return how many workers are ready.
     */
    public int readyCount()
    {
        return buffer.getIntVolatile(READY_COUNT_OFFSET);
    }

    /**
     * Lets the workers go, stamping the harness's clock.
     */
    public void go()
    {
        buffer.putLong(GO_TIME_NS_OFFSET, System.nanoTime());
        // release: publishes the go time to workers that acquire the go flag
        buffer.putIntRelease(GO_OFFSET, 1);
    }

    /**
     * Waits (parking briefly between looks) until the harness says go.
     *
     * @param deadlineNs the {@link System#nanoTime()} deadline.
     * @return the harness's {@link System#nanoTime()} at go (the clock is system-wide on Linux).
     * @throws IpcTimeoutException when the deadline passes or a worker failed first.
     */
    public long awaitGo(final long deadlineNs)
    {
        awaitCondition(() -> buffer.getIntAcquire(GO_OFFSET) != 0, deadlineNs, "the harness to say go");
        return buffer.getLong(GO_TIME_NS_OFFSET);
    }

    /**
     * Marks the measurement failed so that the other workers stop.
     */
    public void fail()
    {
        buffer.putIntVolatile(FAILED_OFFSET, 1);
    }

    /**
     * @return true when a worker failed.
     */
    public boolean failed()
    {
        return buffer.getIntVolatile(FAILED_OFFSET) != 0;
    }

    /**
     * Publishes a producer's final count: it sends no more.
     *
     * @param slot  the producer's slot.
     * @param count how many messages it sent.
     */
    public void publishFinalCount(final int slot, final long count)
    {
        // release: the count becomes visible after every message it counts was sent
        buffer.putLongRelease(finalCountOffset(checkSlot(slot)), count + 1);
    }

    /**
     * @param slot a producer's slot.
     * @return its final count, or -1 while it still sends.
     */
    public long finalCount(final int slot)
    {
        return buffer.getLongAcquire(finalCountOffset(checkSlot(slot))) - 1;
    }

    /**
     * Publishes how many messages a consumer has taken so far.
     *
     * @param slot  the consumer's slot.
     * @param count its count.
     */
    public void publishConsumed(final int slot, final long count)
    {
        // release: other consumers of a shared channel sum these to know when the group is done
        buffer.putLongRelease(consumedOffset(checkSlot(slot)), count);
    }

    /**
     * @param slot a consumer's slot.
     * @return its last published count.
     */
    public long consumed(final int slot)
    {
        return buffer.getLongAcquire(consumedOffset(checkSlot(slot)));
    }

    /**
     * Removes the file from the shared directory.
     */
    public void unlink()
    {
        file.unlink();
    }

    /**
     * Unmaps the file; idempotent.
     */
    @Override
    public void close()
    {
        file.close();
    }

    private void awaitCondition(final BooleanSupplier condition, final long deadlineNs, final String what)
    {
        while (!condition.getAsBoolean())
        {
            if (failed())
            {
                throw new IpcTimeoutException("stopped waiting for " + what + ": another worker failed");
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IpcTimeoutException("gave up waiting for " + what + " in " + file.name());
            }
            LockSupport.parkNanos(PARK_NS);
        }
    }

    private static int checkSlot(final int slot)
    {
        if (slot < 0 || slot >= SLOT_COUNT)
        {
            throw new IllegalArgumentException("slot " + slot + " is outside 0.." + (SLOT_COUNT - 1));
        }
        return slot;
    }
}
