package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;
import org.agrona.collections.LongHashSet;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Keeps the binding of the futex call off a starting JVM's critical path. Binding {@link Native}'s downcall handle
 * costs 20 to 40 ms of a fresh JVM's time and 70 to 90 ms of its CPU (the JDK generates and compiles the stub), which
 * is as long as the JVM's own start; a child's first wait or wake would pay it before its first message. So the
 * futex calls are bound by a background thread, {@value #DELAY_PROP_NAME} ms (default {@value #DEFAULT_DELAY_MS})
 * after this JVM first needed them, once the start's own work is done. Until then:
 * <ul>
 * <li>a sleeping wait polls its word, parking {@link #POLL_NS} at a time ({@link #parkPolling(long)});</li>
 * <li>a wake is queued ({@link #wake(long)}) and made once the call is bound; the sleeper meanwhile finds the change
 * at the end of its slice. When the JVM exits before, a shutdown hook binds and wakes, unless every queued wake is
 * older than the longest sleep slice ({@link WakeSignal#MAX_SLEEP_SLICE_NS}): then every sleeper has looked again
 * already, and the exit does not wait for a binding. A parent's sleeps within a
 * second of starting a child are 2 ms slices ({@code Waiter.expectStartingPeer}), so a child's first messages reach
 * it at once;</li>
 * <li>this process is not registered for {@link AsymmetricFence}'s barrier, so its publishes keep their fence.</li>
 * </ul>
 * A waking side's futex call only ever makes a sleeper return early, so a queued wake loses nothing but time; a
 * polling sleeper looks at its word after every park, so it needs no wake. Calls that need the system call at once
 * (the barrier of {@link AsymmetricFence#waitingSide()}) bind it synchronously in their own thread, and so does a
 * manager's client as it attaches to its pipe ({@link #bindNow()}): its calls ring the manager's workers, which sleep
 * in the kernel 250 ms at a time when idle. A manager's JVM as it starts, and a program as it starts or joins a local
 * manager, bind at once in the background ({@link #bindInBackground()}), while the other side boots or answers, so
 * that the attach finds the calls bound (a local manager's start: median 545 to 456 ms from a cold program, 232 to
 * 208 ms from a warm one, measured here).
 * <p>
 * Thread-safe; the bound state is per JVM.
 */
public final class NativeBinding
{
    /** System property: milliseconds between this JVM's first need of the futex calls and their binding. */
    public static final String DELAY_PROP_NAME = "ipckit.native.bindDelayMs";
    /** Default of {@link #DELAY_PROP_NAME}: past a pool worker's first task on a loaded 2-core machine. */
    public static final long DEFAULT_DELAY_MS = 150;
    /** The longest park of a wait that polls while the futex call is not bound yet. */
    public static final long POLL_NS = 200_000L;

    private static final NativeBinding INSTANCE = new NativeBinding(
        Long.getLong(DELAY_PROP_NAME, DEFAULT_DELAY_MS), NativeBinding::bindNative,
        (address) -> Native.futexWake(address, Integer.MAX_VALUE), true);

    private final long delayNs;
    private final Runnable binder;
    private final LongConsumer waker;
    private final boolean flushAtExit;
    private final LongHashSet pendingWakes = new LongHashSet();
    /** Held while the binder runs: one binding at a time, and a caller that needs it waits for one under way. */
    private final Object binding = new Object();
    private volatile boolean bound;
    private boolean started;
    private boolean startedNow;
    private boolean hookAdded;
    /** When the newest queued wake was queued ({@link System#nanoTime()}). */
    private long newestWakeNs;

    /**
     * @param delayMs     the wait before binding.
     * @param binder      binds the calls (may take long; runs in the background thread or a shutdown hook).
     * @param waker       wakes every sleeper on an address once bound.
     * @param flushAtExit true to bind and make queued wakes in a shutdown hook when the JVM exits before.
     */
    NativeBinding(final long delayMs, final Runnable binder, final LongConsumer waker, final boolean flushAtExit)
    {
        this.delayNs = TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
        this.binder = binder;
        this.waker = waker;
        this.flushAtExit = flushAtExit;
    }

    /**
     * @return this JVM's binding.
     */
    public static NativeBinding instance()
    {
        return INSTANCE;
    }

    /**
     * @return true once the futex calls are bound: sleeps may use the kernel, wakes go out at once.
     */
    public boolean isBound()
    {
        return bound;
    }

    /**
     * Starts the background binding unless it has started. Cheap after the first call.
     */
    public void bindSoon()
    {
        if (!started)
        {
            start();
        }
    }

    /**
     * Wakes every sleeper on the futex word at {@code address}: at once when bound, otherwise once the binding is
     * done (starting it). Waking a word whose mapping has gone by then is harmless (the kernel refuses the address, or
     * a sleeper on a new mapping there returns early and looks again).
     *
     * @param address the word's address.
     */
    public void wake(final long address)
    {
        if (!bound)
        {
            synchronized (this)
            {
                if (!bound)
                {
                    pendingWakes.add(address);
                    newestWakeNs = System.nanoTime();
                    startLocked();
                    addExitHookLocked();
                    return;
                }
            }
        }
        waker.accept(address);
    }

    /**
     * One poll step of a sleep made before the binding: parks at most {@link #POLL_NS} and starts the binding.
     *
     * @param sliceNs the most the caller may sleep now.
     */
    public void parkPolling(final long sliceNs)
    {
        bindSoon();
        LockSupport.parkNanos(Math.min(sliceNs, POLL_NS));
    }

    /**
     * @return the number of queued wakes, for tests.
     */
    synchronized int pendingWakes()
    {
        return pendingWakes.size();
    }

    private synchronized void start()
    {
        startLocked();
    }

    private void startLocked()
    {
        if (started)
        {
            return;
        }
        started = true;
        startDaemon(this::bindAfterDelay, "ipckit-native-binding");
    }

    private static void startDaemon(final Runnable work, final String name)
    {
        final Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void addExitHookLocked()
    {
        if (!flushAtExit || hookAdded)
        {
            return;
        }
        hookAdded = true;
        try
        {
            Runtime.getRuntime().addShutdownHook(new Thread(this::bindAtExit, "ipckit-native-binding-exit"));
        }
        catch (final IllegalStateException ex)
        {
            // already shutting down: the sleepers find the change at the end of their slice
        }
    }

    /**
     * The shutdown hook's work: binds and makes the queued wakes unless all are older than the longest slice.
     */
    void bindAtExit()
    {
        synchronized (this)
        {
            if (bound || System.nanoTime() - newestWakeNs > WakeSignal.MAX_SLEEP_SLICE_NS)
            {
                return;
            }
        }
        bindNow();
    }

    private void bindAfterDelay()
    {
        final long deadlineNs = System.nanoTime() + delayNs;
        long leftNs;
        while ((leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(leftNs);
        }
        bindNow();
    }

    /**
     * Binds in the calling thread now (idempotent; a field's read once bound), then marks the calls bound and makes
     * the queued wakes: for a child JVM that trains an AOT cache, so that its recording holds the binding's classes (a
     * training child that exits before the background binding leaves every later child to load them), and for a
     * manager's client as it attaches, whose calls must wake the manager's sleeping workers at once. A binding that
     * fails leaves the calls unbound and is not reported.
     */
    public void bindNow()
    {
        if (bound)
        {
            return;
        }
        synchronized (binding)
        {
            if (bound)
            {
                return; // bound meanwhile by the thread this one waited for
            }
            try
            {
                binder.run();
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // the calls stay unbound: sleeps keep polling, wakes stay queued (sleepers find changes by polling)
                return;
            }
            markBound();
        }
    }

    /**
     * Starts binding now in a background thread, without {@link #DELAY_PROP_NAME}'s delay, unless the calls are
     * bound or such a binding has started: for a JVM that will need the calls within moments and has other work
     * meanwhile, such as a manager's JVM as it starts listening, or a program that starts a manager while the
     * manager's JVM boots. A {@link #bindNow()} meanwhile waits for this binding instead of making a second.
     */
    public void bindInBackground()
    {
        synchronized (this)
        {
            if (bound || startedNow)
            {
                return;
            }
            startedNow = true;
        }
        startDaemon(this::bindNow, "ipckit-native-binding-now");
    }

    private void markBound()
    {
        final long[] wakes;
        synchronized (this)
        {
            if (bound)
            {
                return;
            }
            bound = true;
            wakes = new long[pendingWakes.size()];
            int i = 0;
            for (final LongHashSet.LongIterator it = pendingWakes.iterator(); it.hasNext(); )
            {
                wakes[i++] = it.nextValue();
            }
            pendingWakes.clear();
        }
        for (final long address : wakes)
        {
            waker.accept(address);
        }
    }

    private static void bindNative()
    {
        if (Native.isLinux())
        {
            AsymmetricFence.afterBinding(Native.membarrier(AsymmetricFence.MEMBARRIER_CMD_QUERY));
        }
    }
}
