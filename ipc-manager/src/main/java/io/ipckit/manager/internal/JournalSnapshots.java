package io.ipckit.manager.internal;

import io.ipckit.durable.Journal;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The snapshots of a durable manager's whole state ({@link ManagerJournal}): one started in the background every
 * {@link io.ipckit.manager.ManagerOptions#snapshotEveryEntries} entries or more and at the pace of {@link #PACE}, the
 * first of a new journal and the last at close, one at a time; and what they cost.
 * <p>
 * The state is taken under the journal's lock, which holds up journaled calls only while the state goes through the
 * object stream with its dicts' entries copied ({@link SnapshotEncoding#replace}); the dicts are encoded and the
 * snapshot appended after it, as a snapshot of the entry that was the journal's last when the state was taken (a
 * replay applies the entries appended meanwhile after it). Two cases take the whole snapshot under the lock, as one
 * of every entry before it: a journal with no entry yet, and a snapshot whose append landed in a later cycle file than
 * the entry it covers (it is taken again so, at once: retention removes the older file first, and the replay would
 * lack the entries between). A snapshot is taken only while no call applied outside the lock is between its effect
 * and its entry ({@link OutsideLockCalls}); it waits {@link #WAIT_FOR_CALLS_NS} for them, else it is put off.
 * <p>
 * Thread-safe: {@link #entryAppended} runs under the journal's lock, a snapshot holds {@code taking}.
 */
final class JournalSnapshots
{
    /**
     * A snapshot waits until this many times its predecessor's duration has passed since that one started: snapshots
     * take about {@code 1 / PACE} of a core, and hold up the calls that change state less than that of the time,
     * whatever the state's size (the pace follows the last snapshot's duration). Without it a durable manager with
     * 200,000 keys served half as many puts per second as with 1,000, and stalled them up to 250 ms at each snapshot
     * (every 100,000 entries, measured).
     */
    static final long PACE = 10;
    /**
     * How long a snapshot waits for the blocking calls of registered types under way ({@link JournalModes.Mode#AFTER})
     * to be journaled, holding new ones meanwhile, before it is put off ({@link OutsideLockCalls#awaitNone}).
     */
    static final long WAIT_FOR_CALLS_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ServerCore core;
    private final Journal journal;
    private final Path directory;
    private final WireCodec codec;
    private final long everyEntries;
    /** The journal's lock: entries are appended and the state is taken under it. */
    private final ReentrantLock lock;
    private final OutsideLockCalls outsideLock;
    private final Map<Long, JournalState.Origin> origins;
    private final JournalClients clients;
    /** The journal's: set once it closes (its last snapshot taken or being taken). */
    private final AtomicBoolean closed;
    /** A background snapshot was started and has not ended. */
    private final AtomicBoolean backgroundRunning = new AtomicBoolean();
    /** Entries appended since the last state was taken. Under {@code lock}. */
    private long sinceLast;
    /**
     * {@link System#nanoTime()} before which no snapshot starts from an append ({@link #PACE}): written by the
     * snapshot's thread after the lock, read by appends under it.
     */
    private volatile long nextNs = System.nanoTime();
    /** Held by the snapshot being taken: the background one, or the first or last ({@link #take()}). */
    private final ReentrantLock taking = new ReentrantLock();
    /** The last snapshot's append landed in a later cycle than the entry it covers. Under {@link #taking}. */
    private boolean crossedCycle;
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong heldNanos = new AtomicLong();
    private final AtomicLong putOff = new AtomicLong();

    /**
     * @param core         the manager whose state is taken.
     * @param journal      the journal the snapshots are appended to.
     * @param directory    its directory, for messages.
     * @param codec        the snapshots' object stream.
     * @param everyEntries entries between two snapshots, at least.
     * @param lock         the journal's lock.
     * @param outsideLock  the calls applied outside the lock.
     * @param origins      how the volatile objects were made, in the state.
     * @param clients      what is remembered of the client handles, in the state.
     * @param closed       the journal's closed flag.
     */
    JournalSnapshots(
        final ServerCore core,
        final Journal journal,
        final Path directory,
        final WireCodec codec,
        final long everyEntries,
        final ReentrantLock lock,
        final OutsideLockCalls outsideLock,
        final Map<Long, JournalState.Origin> origins,
        final JournalClients clients,
        final AtomicBoolean closed)
    {
        this.core = core;
        this.journal = journal;
        this.directory = directory;
        this.codec = codec;
        this.everyEntries = everyEntries;
        this.lock = lock;
        this.outsideLock = outsideLock;
        this.origins = origins;
        this.clients = clients;
        this.closed = closed;
    }

    /**
     * Counts an entry, under the journal's lock, and starts a snapshot in the background when enough entries came and
     * the pace allows, unless one runs.
     */
    void entryAppended()
    {
        if (++sinceLast >= everyEntries && System.nanoTime() - nextNs >= 0 &&
            backgroundRunning.compareAndSet(false, true))
        {
            Thread.ofPlatform().daemon(true).name("ipckit-manager-snapshot").start(() ->
            {
                try
                {
                    take(true);
                }
                catch (final RuntimeException ex)
                {
                    core.log("snapshot of the journal in " + directory + " failed, replay will be longer: " + ex);
                }
                finally
                {
                    backgroundRunning.set(false);
                }
            });
        }
    }

    /**
     * Appends a snapshot of the whole state now, in the calling thread, and paces the next one: a new journal's first,
     * and the last at close. One at a time. A snapshot put off is logged.
     *
     * @throws RuntimeException when the state cannot be encoded or the journal written (its message says why).
     */
    void take()
    {
        take(false);
    }

    /**
     * @param background true for the one an append started, which a close taking the last one makes needless.
     */
    private void take(final boolean background)
    {
        taking.lock();
        try
        {
            if (background && closed.get())
            {
                return; // close took the last one
            }
            final long start = System.nanoTime();
            final long heldNs = takeOnce(crossedCycle); // still crossed: the last one's second take was put off
            if (heldNs >= 0)
            {
                taken.incrementAndGet();
                heldNanos.addAndGet(heldNs);
                if (crossedCycle)
                {
                    final long againNs = takeOnce(true);
                    if (againNs >= 0)
                    {
                        heldNanos.addAndGet(againNs);
                    }
                    else
                    {
                        putOff(background, true);
                    }
                }
            }
            else
            {
                putOff(background, false);
            }
            final long end = System.nanoTime();
            nextNs = end + (PACE - 1) * (end - start);
        }
        finally
        {
            taking.unlock();
        }
    }

    /**
     * Counts a snapshot, or its retake, put off; one taken in the calling thread (the first or the last) says so in
     * the manager's log.
     */
    private void putOff(final boolean background, final boolean retake)
    {
        putOff.incrementAndGet();
        if (!background)
        {
            core.log("a snapshot of the journal in " + directory + " was put off" + (retake ? " (its second take, " +
                "under the lock: the first landed in a later cycle file than the entry it covers)" : "") +
                ": a blocking call of a registered type was still under way after " +
                TimeUnit.NANOSECONDS.toMillis(WAIT_FOR_CALLS_NS) + " ms; a replay applies the entries since the " +
                "last snapshot");
        }
    }

    /**
     * Takes and appends one snapshot; holding {@link #taking}. On a failure the next append starts another.
     *
     * @param underLock true to encode and append it under the lock too.
     * @return how long it held the lock, or -1 when it was put off ({@link OutsideLockCalls#awaitNone}); the next
     * append starts another then, at the pace's time.
     */
    private long takeOnce(final boolean underLock)
    {
        final SnapshotEncoding encoding = new SnapshotEncoding();
        lock.lock();
        boolean locked = true;
        try
        {
            if (!outsideLock.awaitNone(WAIT_FOR_CALLS_NS))
            {
                sinceLast = everyEntries;
                return -1;
            }
            final long lockedNs = System.nanoTime(); // the wait above let go of the lock
            crossedCycle = false;
            final JournalState.State state = JournalState.capture(core, origins, clients.calls(),
                clients.forgottenOldestFirst());
            final byte[] stream = codec.encode(state, encoding::replace);
            final long covered = journal.lastEntryIndex();
            sinceLast = 0;
            if (underLock || covered < 0)
            {
                journal.snapshot(encoding.assemble(stream));
                return System.nanoTime() - lockedNs;
            }
            final long heldNs = System.nanoTime() - lockedNs;
            lock.unlock();
            locked = false;
            final byte[] body = encoding.assemble(stream);
            final long index = journal.snapshot(new UnsafeBuffer(body), 0, body.length, covered);
            crossedCycle = !journal.inOneCycle(covered, index);
            return heldNs;
        }
        catch (final RuntimeException | Error ex)
        {
            if (!locked)
            {
                lock.lock();
                locked = true;
            }
            sinceLast = everyEntries; // the next append tries again, at the pace's time
            throw ex;
        }
        finally
        {
            if (locked)
            {
                lock.unlock();
            }
        }
    }

    /**
     * @return the snapshots taken since the manager started (the one a new journal starts with included).
     */
    long taken()
    {
        return taken.get();
    }

    /**
     * @return the snapshots put off since the manager started, because a blocking call of a registered type stayed
     * under way ({@link #WAIT_FOR_CALLS_NS}).
     */
    long putOff()
    {
        return putOff.get();
    }

    /**
     * @return the time the snapshots taken so far held up the calls that change state, in all.
     */
    long heldNanos()
    {
        return heldNanos.get();
    }

    @Override
    public String toString()
    {
        return "JournalSnapshots{" + directory + ", taken=" + taken.get() + ", putOff=" + putOff.get() + "}";
    }
}
