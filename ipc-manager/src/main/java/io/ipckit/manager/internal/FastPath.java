package io.ipckit.manager.internal;

import io.ipckit.core.ResourceName;
import io.ipckit.core.internal.kit.Doorbell;
import io.ipckit.core.internal.kit.DoorbellDescriptor;
import io.ipckit.pipe.BufferHandler;
import io.ipckit.shm.SharedMemory;
import org.agrona.DirectBuffer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The manager's fast path for clients of its own host: after the handshake on the Unix socket, each local client's
 * frames travel through a duplex pipe in shared memory ({@link PipeLink}) instead of the socket, and a fixed set of
 * worker threads, however many clients there are, serves every link.
 * <p>
 * Leader and followers: one worker at a time (the leader) polls every link, runs the non-blocking calls it finds
 * inline (blocking ones go to virtual threads, as on the socket path) and writes the replies; after
 * {@link #SPIN_NS} without work it sleeps on a doorbell in a small shared segment ({@link #bellName()}) that
 * clients ring after each send (and as a send of a frame longer than the ring waits for room between its parts), at
 * the price of one load while the leader is awake. The followers look every
 * {@link #FOLLOWER_TICK_NS} (every {@link #FOLLOWER_IDLE_TICK_NS} when no call came for a second) whether the leader
 * has been inside one call for longer than {@link #STALL_NS}; if so one of them takes over polling, so a slow call
 * holds up only its own client (each link is drained by one worker at a time, in order). A client is noticed gone
 * when its pipe says so (closed, or its process dead), when it says {@link #BYE}, or by its session's lease.
 * <p>
 * Frames are bounded by {@link io.ipckit.manager.ManagerOptions#maxFrameBytes} as on the socket: a longer one is
 * refused before anything is allocated and ends its client's session ({@link ServerSession#acceptsFrame}). A frame
 * that fails its worker with anything, an {@link Error} included, ends only its client's session; a worker that dies
 * all the same gives up the lead as it ends, and followers take over from a leader whose thread is dead.
 * <p>
 * Thread-safe.
 */
final class FastPath implements AutoCloseable
{
    /** The HELLO's last byte from a local client that asks for a pipe (0 is remote, 1 local on the socket). */
    static final byte LOCAL_WITH_PIPE = 2;
    /** Frame type, client to manager on the socket, the answer to an offered pipe: ok:byte (1 attached, 0 not). */
    static final byte ATTACH = 8;
    /**
     * Frame type, client to manager: the client handle closes for good. On its pipe; on the socket too, to a durable
     * manager, which then forgets its calls' outcomes ({@link ManagerJournal#forgetClient}).
     */
    static final byte BYE = 9;
    /** How long the leader polls after its last work before it sleeps. */
    static final long SPIN_NS = 50_000;
    /** How long the leader may spend in one frame before a follower takes over polling. */
    static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often followers look at the leader while calls come. */
    static final long FOLLOWER_TICK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often followers look at the leader when no call came for a second. */
    static final long FOLLOWER_IDLE_TICK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * How long a follower parks while the leader sleeps on the doorbell: nothing can stall then, and the leader unparks
     * the followers when a ring wakes it, so an idle manager's followers do not wake 50 times a second.
     */
    static final long FOLLOWER_LEADER_ASLEEP_TICK_NS = TimeUnit.SECONDS.toNanos(1);
    /** The longest sleep of the leader before it polls again (missed rings, closed links). */
    static final long SLEEP_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How long a reply may wait for room in its pipe before the session ends. */
    static final long SEND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int DRAIN_LIMIT = 16;

    private final SharedMemory bellMemory;
    private final Doorbell bell = new Doorbell();
    private final List<PipeLink> links = new CopyOnWriteArrayList<>();
    private final AtomicReference<Worker> leader = new AtomicReference<>();
    private final Worker[] workers;
    private final Consumer<String> log;
    private volatile boolean closed;
    private volatile long lastFrameNs = System.nanoTime();

    /**
     * Creates the doorbell segment and starts the workers.
     *
     * @param workerCount how many worker threads, at least 1.
     * @param log         where to report a failed link.
     * @throws io.ipckit.core.exceptions.IpcException when the segment cannot be created.
     */
    FastPath(final int workerCount, final Consumer<String> log)
    {
        this.log = log;
        this.bellMemory = SharedMemory.create(ResourceName.random("manager-bell-"), DoorbellDescriptor.LENGTH);
        bell.wrap(bellMemory.buffer(), 0);
        workers = new Worker[Math.max(1, workerCount)];
        for (int i = 0; i < workers.length; i++)
        {
            workers[i] = new Worker();
            workers[i].thread = Thread.ofPlatform().daemon(true).name("ipckit-manager-worker-" + i)
                .start(workers[i]);
        }
    }

    /**
     * @return the name of the doorbell segment clients ring.
     */
    String bellName()
    {
        return bellMemory.name();
    }

    /**
     * @return the number of worker threads.
     */
    int workerCount()
    {
        return workers.length;
    }

    /**
     * Starts serving a link whose client attached.
     *
     * @param link the link.
     */
    void start(final PipeLink link)
    {
        links.add(link);
        wake();
    }

    /**
     * Wakes the leader so that it polls every link now (a link to close, a link added).
     */
    void wake()
    {
        bell.ring();
    }

    /**
     * Stops the workers, closes every link, removes the doorbell segment. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Worker worker : workers)
        {
            worker.thread.interrupt();
            LockSupport.unpark(worker.thread);
        }
        for (final Worker worker : workers)
        {
            try
            {
                worker.thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (final PipeLink link : links)
        {
            link.closeNow();
        }
        links.clear();
        try
        {
            bellMemory.unlink();
        }
        catch (final RuntimeException ex)
        {
            log.accept("cannot remove the doorbell " + bellMemory.name() + ": " + ex.getMessage());
        }
        bellMemory.close();
    }

    private final class Worker implements Runnable, BufferHandler
    {
        Thread thread;
        /** When the frame being run started, or 0 between frames. */
        volatile long busySinceNs;
        /** The leader sleeps on the doorbell: followers park long (the Dekker pair of {@link #parkedLong}). */
        volatile boolean asleep;
        /** This follower parks for {@link #FOLLOWER_LEADER_ASLEEP_TICK_NS}: a waking leader unparks it. */
        volatile boolean parkedLong;
        private PipeLink current;

        @Override
        public void run()
        {
            try
            {
                while (!closed)
                {
                    if (leader.get() == this || leader.compareAndSet(null, this))
                    {
                        lead();
                    }
                    else
                    {
                        follow();
                    }
                }
            }
            catch (final Throwable ex)
            {
                if (!closed)
                {
                    log.accept("fast path worker " + thread.getName() + " failed, " + (workers.length - 1) +
                        " left: " + ex);
                }
            }
            finally
            {
                busySinceNs = 0;
                leader.compareAndSet(this, null); // a dead leader must not hold up the followers
            }
        }

        private void follow()
        {
            final Worker now = leader.get();
            if (now == null)
            {
                return;
            }
            if (!now.thread.isAlive())
            {
                leader.compareAndSet(now, this);
                return;
            }
            final long busy = now.busySinceNs;
            if (busy != 0 && System.nanoTime() - busy > STALL_NS)
            {
                // the leader is inside a slow call: poll the other links in its place; it follows after its call
                leader.compareAndSet(now, this);
                return;
            }
            if (now.asleep)
            {
                // store, then load: either the waking leader sees parkedLong and unparks, or this sees it awake
                parkedLong = true;
                if (now.asleep && !closed)
                {
                    LockSupport.parkNanos(this, FOLLOWER_LEADER_ASLEEP_TICK_NS);
                }
                parkedLong = false;
                return;
            }
            final boolean recent = System.nanoTime() - lastFrameNs < TimeUnit.SECONDS.toNanos(1);
            LockSupport.parkNanos(this, recent ? FOLLOWER_TICK_NS : FOLLOWER_IDLE_TICK_NS);
        }

        /**
         * Unparks the followers that park long because this leader slept: it may now run a slow frame, which they
         * must be able to notice.
         */
        private void wakeFollowers()
        {
            for (final Worker worker : workers)
            {
                if (worker != this && worker.parkedLong)
                {
                    LockSupport.unpark(worker.thread);
                }
            }
        }

        private void lead()
        {
            long idleSince = System.nanoTime();
            while (!closed && leader.get() == this)
            {
                if (pollAll() > 0)
                {
                    idleSince = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - idleSince < SPIN_NS)
                {
                    Thread.onSpinWait();
                    continue;
                }
                // registered once for the whole idle time: a barrier (a membarrier) per sleep slice cost the
                // leader of an idle manager more than the sleeps themselves
                boolean woke = false;
                bell.beginWait();
                try
                {
                    while (!closed && leader.get() == this)
                    {
                        final int sequence = bell.sequence();
                        if (pollAll() > 0)
                        {
                            woke = true; // a call came meanwhile (a ring it made is not awaited again)
                            break;
                        }
                        asleep = true;
                        final boolean rung = bell.awaitChangeOnce(sequence, SLEEP_SLICE_NS);
                        asleep = false; // before any frame: followers must see a leader that may stall
                        if (rung)
                        {
                            woke = true;
                            break;
                        }
                        // the slice passed (or a stray wake): poll the links once more and sleep again, no spin
                    }
                }
                catch (final InterruptedException ex)
                {
                    // closing: the loop ends
                }
                finally
                {
                    asleep = false;
                    bell.endWait();
                    if (woke)
                    {
                        wakeFollowers(); // a call came: the frame it starts may stall
                    }
                }
                idleSince = System.nanoTime();
            }
        }

        private int pollAll()
        {
            int work = 0;
            for (final PipeLink link : links)
            {
                if (!link.claim())
                {
                    continue;
                }
                try
                {
                    if (link.closeRequested())
                    {
                        links.remove(link);
                        link.closeNow();
                        continue;
                    }
                    current = link;
                    work += link.pipe().drain(this, DRAIN_LIMIT);
                }
                catch (final Throwable ex)
                {
                    // the client closed its end, died, or its pipe broke; or its frame failed the worker (an Error,
                    // as an OutOfMemoryError decoding it): its session ends, the link closes, the worker serves on
                    if (!(ex instanceof io.ipckit.core.exceptions.EndOfStreamException) &&
                        !(ex instanceof io.ipckit.core.exceptions.PeerGoneException))
                    {
                        log.accept("link " + link + " failed: " + ex);
                    }
                    links.remove(link);
                    link.closeNow();
                    link.session().end();
                }
                finally
                {
                    current = null;
                    link.release();
                }
                if (leader.get() != this)
                {
                    // a follower took over while this worker held the link; it may have found the link held, and
                    // then slept on the doorbell after the client's ring (no waiter yet, none sent): ring after the
                    // release, or a frame that came meanwhile waits for the end of the leader's sleep slice
                    bell.ring();
                    break;
                }
            }
            return work;
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!current.session().acceptsFrame(length))
            {
                return; // refused before allocating: the session ended, as on the socket
            }
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            final long now = System.nanoTime();
            lastFrameNs = now;
            busySinceNs = now | 1;
            try
            {
                current.session().onFrame(frame);
            }
            finally
            {
                busySinceNs = 0;
            }
        }
    }
}
