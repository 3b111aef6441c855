package io.ipckit.core.internal.kit;

import io.ipckit.core.internal.os.Native;
import io.ipckit.core.internal.wait.NativeBinding;
import org.agrona.collections.Long2ObjectHashMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Learns from the kernel when a watched process exits, so that a wait blocked on another process (a lock's holder, a
 * semaphore's owners, a barrier's parties) need not wake every liveness interval to look at {@code /proc}. One daemon
 * thread per JVM sleeps in {@code epoll_pwait} on a {@code pidfd} per watched process; when one becomes readable (the
 * process exited, killed or not, zombie or reaped), the thread marks every {@link Interest} watching it as
 * {@linkplain Interest#exitNoticed() told} and wakes the futex word its wait sleeps on.
 * <p>
 * The thread never writes shared memory: a wake of a futex word whose mapping has gone since is refused by the kernel
 * or wakes nobody, so a wait that ends and unmaps races with nothing here. A pidfd refers to the process it was opened
 * for, whatever later reuses the pid; {@link #watch} checks the process's start time after opening it, so the token's
 * very process is watched or none.
 * <p>
 * Where the kernel has no {@code pidfd_open} (before Linux 5.3), off Linux, or before this JVM has bound its system
 * calls ({@link NativeBinding}), nothing is watched and waits keep looking every liveness interval.
 * <p>
 * <b>Exit.</b> HotSpot makes a JVM's exit wait up to 300 ms for threads that sit in native code, as this thread does
 * in {@code epoll_pwait}. So a shutdown hook ends the thread first: it signals an eventfd in the epoll set, the thread
 * tells every interest (their waits look at their peers themselves again) and returns, and the hook waits for it.
 * Waits made after that (in other shutdown hooks) are not watched.
 * <p>
 * Thread-safe: registrations are synchronized on the instance; the thread takes the same monitor to report an exit.
 */
public final class PeerWatch
{
    /** {@link #watch} result: the process is watched; the interest is told when it exits. */
    public static final int WATCHED = 0;
    /** {@link #watch} result: the process has exited already. */
    public static final int EXITED = 1;
    /** {@link #watch} result: the process cannot be watched here; look at it every liveness interval instead. */
    public static final int UNAVAILABLE = 2;

    private static final int MAX_EVENTS = 16;
    /** The epoll user data of the eventfd that stops the thread; processes' serials start at 1. */
    private static final long STOP_SERIAL = 0;
    private static final long STOP_JOIN_MS = 1_000;
    private static final PeerWatch INSTANCE = new PeerWatch();

    private final Long2ObjectHashMap<Entry> byToken = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Entry> bySerial = new Long2ObjectHashMap<>();
    private long nextSerial = 1;
    private int epollFd = -1;
    private int stopFd = -1;
    private Thread thread;
    /** Set when the kernel refused a pidfd or epoll for good: nothing is watched in this JVM. */
    private boolean unavailable = !Native.isLinux();

    /**
     * What one wait watches: told when any process it watches exits. Owned by one waiting thread.
     */
    public static final class Interest
    {
        private final long futexAddress;
        private final Runnable onExit;
        private volatile boolean exitNoticed;

        /**
         * @param futexAddress the address of the futex word the wait sleeps on, woken when a watched process exits.
         */
        public Interest(final long futexAddress)
        {
            this.futexAddress = futexAddress;
            this.onExit = null;
        }

        /**
         * @param onExit run by the watching thread after marking an exit (for a thread that parks instead of sleeping
         *               on a futex word: it unparks it); must be quick and must not throw.
         */
        public Interest(final Runnable onExit)
        {
            this.futexAddress = 0;
            this.onExit = onExit;
        }

        /**
         * @return true once a process this interest watched has exited (until {@link #clearExitNoticed()}).
         */
        public boolean exitNoticed()
        {
            return exitNoticed;
        }

        /**
         * Forgets an exit once the waiting thread has looked at its peers.
         */
        public void clearExitNoticed()
        {
            exitNoticed = false;
        }

        void tell()
        {
            exitNoticed = true;
            if (onExit != null)
            {
                onExit.run();
            }
            else if (futexAddress != 0)
            {
                Native.futexWake(futexAddress, Integer.MAX_VALUE);
            }
        }
    }

    private static final class Entry
    {
        final long token;
        final long serial;
        final int pidfd;
        final List<Interest> interests = new ArrayList<>(2);

        Entry(final long token, final long serial, final int pidfd)
        {
            this.token = token;
            this.serial = serial;
            this.pidfd = pidfd;
        }
    }

    private PeerWatch()
    {
        // a lookup loads the maps' hashing class with this one: a JVM whose AOT cache was trained before its system
        // calls were bound never used the maps, so the cache would lack the class, and its first watch would load it
        // from the class path (for a jar, the jar's opening: tens of milliseconds in a new JVM)
        byToken.containsKey(STOP_SERIAL);
    }

    /**
     * @return this JVM's watch.
     */
    public static PeerWatch instance()
    {
        return INSTANCE;
    }

    /**
     * Watches the process a token names for {@code interest}, until {@link #unwatch}. Opens a pidfd and reads
     * {@code /proc} the first time a process is watched; a process already watched costs a map lookup.
     *
     * @param token    an {@link OwnerToken} of another process.
     * @param interest the wait to tell.
     * @return {@link #WATCHED}, {@link #EXITED} or {@link #UNAVAILABLE}.
     */
    public synchronized int watch(final long token, final Interest interest)
    {
        if (unavailable || !NativeBinding.instance().isBound() || !started())
        {
            return UNAVAILABLE;
        }
        Entry entry = byToken.get(token);
        if (entry == null)
        {
            final int pidfd = Native.pidfdOpen(OwnerToken.pid(token));
            if (pidfd < 0)
            {
                if (pidfd == -Native.ESRCH)
                {
                    return EXITED;
                }
                // a kernel before 5.3, or a seccomp filter that refuses the call, refuses it for good; other errors
                // (EMFILE) pass
                unavailable = pidfd == -Native.ENOSYS || pidfd == -Native.EPERM;
                return UNAVAILABLE;
            }
            // the pidfd names whatever process has the pid now: it is the token's only if its start time matches
            if (!OwnerToken.isAlive(token))
            {
                Native.close(pidfd);
                return EXITED;
            }
            final long serial = nextSerial++;
            if (Native.epollAdd(epollFd, pidfd, serial) < 0)
            {
                Native.close(pidfd);
                return UNAVAILABLE;
            }
            entry = new Entry(token, serial, pidfd);
            byToken.put(token, entry);
            bySerial.put(serial, entry);
        }
        if (!entry.interests.contains(interest))
        {
            entry.interests.add(interest);
        }
        return WATCHED;
    }

    /**
     * Stops watching a process for {@code interest}; closes its pidfd when nobody else watches it. Does nothing when
     * the process is not watched for it (it exited and was reported meanwhile).
     *
     * @param token    the token given to {@link #watch}.
     * @param interest the interest given to {@link #watch}.
     */
    public synchronized void unwatch(final long token, final Interest interest)
    {
        final Entry entry = byToken.get(token);
        if (entry != null && entry.interests.remove(interest) && entry.interests.isEmpty())
        {
            drop(entry);
        }
    }

    /**
     * @return true while the watching thread runs, for tests.
     */
    synchronized boolean isRunning()
    {
        return thread != null && thread.isAlive();
    }

    /**
     * @return the number of processes watched now, for tests.
     */
    public synchronized int watchedProcesses()
    {
        return byToken.size();
    }

    private void drop(final Entry entry)
    {
        byToken.remove(entry.token);
        bySerial.remove(entry.serial);
        Native.epollRemove(epollFd, entry.pidfd);
        Native.close(entry.pidfd);
    }

    private boolean started()
    {
        if (epollFd >= 0)
        {
            return true;
        }
        final int fd = Native.epollCreate();
        final int stop = fd < 0 ? -1 : Native.eventfd();
        if (stop < 0 || Native.epollAdd(fd, stop, STOP_SERIAL) < 0)
        {
            closeIfOpen(stop);
            closeIfOpen(fd);
            unavailable = true;
            return false;
        }
        final Thread watcher = new Thread(() -> run(fd), "ipckit-peer-watch");
        watcher.setDaemon(true);
        try
        {
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopForExit, "ipckit-peer-watch-stop"));
        }
        catch (final IllegalStateException shuttingDown)
        {
            closeIfOpen(stop);
            closeIfOpen(fd);
            unavailable = true; // a wait in a shutdown hook: its thread would delay the exit it cannot stop
            return false;
        }
        epollFd = fd;
        stopFd = stop;
        thread = watcher;
        watcher.start();
        return true;
    }

    private static void closeIfOpen(final int fd)
    {
        if (fd >= 0)
        {
            Native.close(fd);
        }
    }

    /**
     * The shutdown hook: ends the thread, so that it is not in native code when the JVM exits, and watches nothing
     * more. Package-private for tests, which call it in a child JVM.
     */
    void stopForExit()
    {
        final Thread watcher;
        synchronized (this)
        {
            watcher = thread;
            unavailable = true;
            if (watcher == null)
            {
                return;
            }
            Native.eventfdSignal(stopFd);
        }
        try
        {
            watcher.join(STOP_JOIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run(final int fd)
    {
        try
        {
            final MemorySegment events = Arena.global().allocate((long)Native.EPOLL_EVENT_BYTES * MAX_EVENTS, 8);
            while (true)
            {
                final int count = Native.epollWait(fd, events.address(), MAX_EVENTS, -1);
                if (count == -Native.EINTR)
                {
                    continue;
                }
                if (count < 0)
                {
                    return; // the kernel refused to wait on the set
                }
                for (int i = 0; i < count; i++)
                {
                    final long serial = events.get(JAVA_LONG_UNALIGNED,
                        (long)i * Native.EPOLL_EVENT_BYTES + Native.EPOLL_EVENT_DATA_OFFSET);
                    if (serial == STOP_SERIAL)
                    {
                        return;
                    }
                    exited(serial);
                }
            }
        }
        finally
        {
            // however the thread ends (stopped, refused, or an error it did not expect): tell every wait to look at
            // its peers itself, and refuse later watches, so no wait sleeps on a watch that no thread serves
            giveUp();
        }
    }

    private synchronized void exited(final long serial)
    {
        final Entry entry = bySerial.get(serial);
        if (entry != null) // an entry dropped after the kernel queued its event is gone: nothing to tell
        {
            drop(entry);
            for (final Interest interest : entry.interests)
            {
                interest.tell();
            }
        }
    }

    /**
     * The JVM exits, or the kernel refused to wait on the epoll set: tell every interest (its wait looks at its peers
     * itself again, as every later wait of this JVM will) and watch nothing more.
     */
    private synchronized void giveUp()
    {
        unavailable = true;
        final List<Entry> entries = new ArrayList<>(byToken.values());
        for (final Entry entry : entries)
        {
            drop(entry);
            for (final Interest interest : entry.interests)
            {
                interest.tell();
            }
        }
    }
}
