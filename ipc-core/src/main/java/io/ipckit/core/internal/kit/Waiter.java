package io.ipckit.core.internal.kit;

import org.agrona.concurrent.IdleStrategy;

/**
 * One blocking wait for a condition in shared memory, either asleep on a {@link Doorbell} or polling with an Agrona
 * {@link IdleStrategy}, with a deadline and a periodic slot for checking whether the peers are still alive.
 * <p>
 * Usage, allocation free ({@link #begin} may also come lazily, after a failed fast-path attempt):
 * <pre>{@code
 * waiter.begin(timeoutNs);
 * try {
 *     while (true) {
 *         int seq = waiter.sequence();
 *         if (condition()) return true;
 *         if (waiter.livenessCheckDue()) checkPeers();   // throws when a peer is gone
 *         if (!waiter.pause(seq)) return false;          // deadline passed
 *     }
 * } finally { waiter.end(); }
 * }</pre>
 * A sleeping wait first polls the condition for {@link #UNREGISTERED_SPIN_NS} without registering on the doorbell:
 * while nobody is registered, the progressing side's ring is one read of the waiter count, so a consumer that keeps
 * up with its producer (and is often briefly without data) costs the producer nothing. Only then does it register,
 * look at the condition once more, and sleep. {@link #spinBeforeSleep(long)} shortens or removes that poll for callers
 * who would rather spend a system call per wake-up than a busy core.
 * <p>
 * <b>Starting peers.</b> A JVM that has just started cannot ring a doorbell at once: it binds the futex call through
 * FFM in the background, a while after its start ({@link io.ipckit.core.internal.wait.NativeBinding}), and queues its
 * wakes until then, while its first message may already be in the ring (its own first waits poll meanwhile). So for
 * {@link #STARTING_PEER_WINDOW_NS} after this process starts a child ({@link #expectStartingPeer()}), its sleeping
 * waits sleep at most {@link #STARTING_PEER_SLICE_NS} at a time and find such a message by looking, instead of at
 * the end of a {@link #LIVENESS_CHECK_INTERVAL_NS} slice (a few hundred extra wake-ups, about a millisecond of CPU,
 * per start).
 * <p>
 * <b>Watched peers.</b> A wait blocked on other processes wakes every {@link #LIVENESS_CHECK_INTERVAL_NS} to look at
 * them. A caller whose look found every peer alive may hand them to the kernel instead: {@link #watchPeer(long)} each
 * peer, then {@link #peersWatched()}. The wait then sleeps {@link #WATCHED_SLICE_NS} at a time and looks at its peers
 * itself only every {@link #WATCHED_CHECK_INTERVAL_NS}: {@link PeerWatch} wakes it when a watched process exits, and
 * {@link #livenessCheckDue()} is true at once. A ring of the doorbell ends the watched sleep (the peers may have
 * changed: a lock passed on, a process attached), as does a due check, so each look at the peers decides afresh. A
 * wait that depends on no other process calls {@link #peersWatched()} alone.
 * <p>
 * Not thread-safe: one per waiting thread (each end and queue handle keeps one per direction).
 */
public final class Waiter
{
    /**
     * How often a waiter checks that its peers are alive, and the longest single sleep of a wait whose peers are not
     * watched: the one interval of {@link LivenessCheckInterval#INTERVAL_PROP_NAME} (50 ms by default).
     */
    public static final long LIVENESS_CHECK_INTERVAL_NS = LivenessCheckInterval.INTERVAL_NS;
    /**
     * How long a sleeping wait polls the condition before it registers on its doorbell: registering costs the waiter
     * a membarrier (inter-processor interrupts to the processes it waits for) and costs the ringer a futex wake, each
     * several microseconds on a virtual machine, so a consumer that keeps up with its producer should rarely do it.
     */
    public static final long UNREGISTERED_SPIN_NS = 100_000L;
    /** How long after a child's start this process's sleeping waits keep their slices short. */
    public static final long STARTING_PEER_WINDOW_NS = 1_000_000_000L;
    /** The longest single sleep within {@link #STARTING_PEER_WINDOW_NS} of a child's start. */
    public static final long STARTING_PEER_SLICE_NS = 2_000_000L;
    /**
     * The longest single sleep of a wait whose peers are all watched (250 ms, or the liveness interval when that is
     * longer): it bounds how late a thread notices an interruption (a futex sleep does not end on
     * {@link Thread#interrupt()}) or a change nobody rang for, and how late a death is noticed in the rare case where
     * the watch's wake comes between the wait's last look at its notice and its sleep.
     */
    public static final long WATCHED_SLICE_NS = Math.max(250_000_000L, LIVENESS_CHECK_INTERVAL_NS);
    /**
     * How often a wait whose peers are watched still looks at them itself (1 s, or the liveness interval when that is
     * longer): a safety net for a peer its caller could not know of when it last looked (a process that attached
     * without ringing), not the way deaths are found.
     */
    public static final long WATCHED_CHECK_INTERVAL_NS = Math.max(1_000_000_000L, LIVENESS_CHECK_INTERVAL_NS);
    /** The most peers one wait watches; a wait with more looks at them every interval. */
    public static final int MAX_WATCHED_PEERS = 8;
    private static final int SPINS_BETWEEN_CLOCK_READS = 32;
    /** When the short slices end ({@link System#nanoTime()}); read only before a kernel sleep. */
    private static volatile long shortSlicesUntilNs = System.nanoTime();
    private static final int IDLE_STEPS_BETWEEN_CLOCK_READS = 8;
    /**
     * The least wait reported to Flight Recorder. Read here so that the class that reports it loads with this one: a
     * JVM whose AOT cache was trained without any wait that slept would otherwise lack it, and a later JVM's first
     * sleep would read it from the class path (for a jar, the jar's opening: tens of milliseconds).
     */
    private static final long SLOW_WAIT_NS = io.ipckit.core.internal.jfr.JfrEvents.SLOW_WAIT_THRESHOLD_NS;

    private final Doorbell doorbell;
    private final CloseGuard guard;
    private IdleStrategy idleStrategy;
    private long spinBeforeSleepNs = UNREGISTERED_SPIN_NS;
    private long startNs;
    private long timeoutNs;
    private long lastCheckNs;
    private boolean registered;
    /** The registration made the barrier: the wait may sleep in the kernel (else it polls, see NativeBinding). */
    private boolean fenced;
    /**
     * The next kernel sleep spins briefly first: true after registering and after a ring, false once a slice passed
     * without one. A wait blocked for long then wakes once per slice for its liveness check and nothing more; the
     * spin, run from code the JIT never compiles at that rate, cost it up to half a millisecond of CPU per slice.
     */
    private boolean spinBeforeSlice;
    /** Every peer is watched by {@link PeerWatch} (or there are none): sleep long, look at the peers seldom. */
    private boolean peersWatched;
    /** The tokens this wait watches, the first {@link #watchedCount}; unwatched when the wait ends. */
    private final long[] watchedTokens = new long[MAX_WATCHED_PEERS];
    private int watchedCount;
    private PeerWatch.Interest interest;
    private int spinsLeft;
    private int pollsBeforeClock;
    private int idleStepsBeforeClock;
    private boolean active;

    /**
     * Tells this process's waits that a peer process is starting ({@code JvmProcess} calls it for every child): for
     * the next {@link #STARTING_PEER_WINDOW_NS} they sleep at most {@link #STARTING_PEER_SLICE_NS} at a time.
     * Thread-safe.
     */
    public static void expectStartingPeer()
    {
        shortSlicesUntilNs = System.nanoTime() + STARTING_PEER_WINDOW_NS;
    }

    /**
     * @return true while this process's sleeping waits keep their slices short for a starting child
     * ({@link #expectStartingPeer()}); a measurement of idle CPU starts after it.
     */
    public static boolean isExpectingStartingPeer()
    {
        return System.nanoTime() - shortSlicesUntilNs < 0;
    }

    /**
     * @param doorbell     the doorbell the progressing side rings.
     * @param idleStrategy null to sleep on the doorbell, otherwise polls with it.
     * @param guard        the handle's close guard: a wait ends with an exception when the handle is closed.
     */
    public Waiter(final Doorbell doorbell, final IdleStrategy idleStrategy, final CloseGuard guard)
    {
        this.doorbell = doorbell;
        this.guard = guard;
        this.idleStrategy = idleStrategy;
    }

    /**
     * Sets how long a sleeping wait polls before it registers and sleeps ({@link #UNREGISTERED_SPIN_NS} by default);
     * 0 registers at once, so that a blocked thread uses no CPU beyond its registration and its wake-up. Applies
     * from the next {@link #begin}; ignored while polling with an idle strategy.
     *
     * @param spinBeforeSleepNs nanoseconds, 0 or more.
     * @return this.
     * @throws IllegalArgumentException when negative.
     */
    public Waiter spinBeforeSleep(final long spinBeforeSleepNs)
    {
        if (spinBeforeSleepNs < 0)
        {
            throw new IllegalArgumentException("spinBeforeSleepNs must be 0 or more, got " + spinBeforeSleepNs);
        }
        this.spinBeforeSleepNs = spinBeforeSleepNs;
        return this;
    }

    /**
     * @param idleStrategy null to sleep on the doorbell, otherwise polls with it.
     */
    public void idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
    }

    /**
     * Starts a wait.
     *
     * @param timeoutNs the most to wait; negative waits without a limit.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the handle is closed.
     */
    public void begin(final long timeoutNs)
    {
        guard.enter();
        active = true;
        this.startNs = System.nanoTime();
        this.lastCheckNs = startNs;
        this.timeoutNs = timeoutNs;
        peersWatched = false;
        if (idleStrategy == null)
        {
            // registration comes in pause(), after the spins (none when told not to spin)
            spinsLeft = spinBeforeSleepNs > 0 ? SPINS_BETWEEN_CLOCK_READS : 0;
        }
        else
        {
            idleStrategy.reset();
            idleStepsBeforeClock = IDLE_STEPS_BETWEEN_CLOCK_READS;
        }
    }

    /**
     * Ends a wait started by {@link #begin}; call in a finally block. Does nothing when no wait is active.
     */
    public void end()
    {
        if (active)
        {
            endActive(); // the inactive case, every call that did not wait, stays small enough to inline
        }
    }

    private void endActive()
    {
        active = false;
        peersWatched = false;
        try
        {
            if (watchedCount > 0)
            {
                unwatchAll();
            }
            if (interest != null && interest.exitNoticed())
            {
                interest.clearExitNoticed(); // a notice for this wait's peers says nothing to the next wait
            }
            if (registered)
            {
                if (System.nanoTime() - startNs >= SLOW_WAIT_NS) // slept on a futex: one clock read more
                {
                    io.ipckit.core.internal.jfr.JfrEvents.slowWaitEnded(startNs);
                }
                registered = false;
                doorbell.endWait();
            }
        }
        finally
        {
            guard.exit(); // even when the doorbell's file faults: a close may have left its release to this thread
        }
    }

    /**
     * @return true between {@link #begin} and {@link #end}: callers that try a fast path first begin only when it
     *         fails, then test their condition once more before pausing.
     */
    public boolean isActive()
    {
        return active;
    }

    /**
     * @return true once the wait registered on the doorbell (it has polled for a while and is about to sleep, or
     * sleeps): the time for the condition's more expensive checks.
     */
    public boolean isRegistered()
    {
        return registered;
    }

    /**
     * @return the doorbell sequence to read before testing the condition.
     */
    public int sequence()
    {
        return registered ? doorbell.sequence() : 0;
    }

    /**
     * @return true when it is time to check the peers: once every {@link #LIVENESS_CHECK_INTERVAL_NS}, every
     * {@link #WATCHED_CHECK_INTERVAL_NS} while they are watched ({@link #peersWatched()}), and at once after the
     * watch told this wait that one of them exited.
     */
    public boolean livenessCheckDue()
    {
        if (!active)
        {
            return false;
        }
        if (!registered && --pollsBeforeClock > 0)
        {
            // polling: each poll is short, and the clock costs as much as a poll; read it every few polls
            return false;
        }
        pollsBeforeClock = SPINS_BETWEEN_CLOCK_READS;
        if (interest != null && interest.exitNoticed())
        {
            // a watched peer exited: look now, and watch afresh what the look finds alive
            interest.clearExitNoticed();
            unwatchAll();
            peersWatched = false;
            lastCheckNs = System.nanoTime();
            return true;
        }
        final long nowNs = System.nanoTime();
        if (nowNs - lastCheckNs >= (peersWatched ? WATCHED_CHECK_INTERVAL_NS : LIVENESS_CHECK_INTERVAL_NS))
        {
            lastCheckNs = nowNs;
            peersWatched = false; // the caller's look decides afresh
            return true;
        }
        return false;
    }

    /**
     * Within a liveness check that found {@code token} alive: asks the kernel to tell this wait when that process
     * exits ({@link PeerWatch}). Costs a pidfd and a {@code /proc} read the first time this JVM watches a process,
     * nothing for a process this wait watches already. Tokens of this process are watched trivially.
     *
     * @param token an {@link OwnerToken}, not {@link OwnerToken#NONE}.
     * @return true when the process is watched (call {@link #peersWatched()} once every peer is); false when it
     * cannot be, or has just exited (the wait's next {@link #livenessCheckDue()} is then true at once; a caller
     * timing its looks with {@link #livenessCheckDue(LivenessCheckInterval)} looks when its own interval says).
     */
    public boolean watchPeer(final long token)
    {
        if (token == OwnerToken.current())
        {
            return true;
        }
        for (int i = 0; i < watchedCount; i++)
        {
            if (watchedTokens[i] == token)
            {
                return true;
            }
        }
        if (watchedCount == MAX_WATCHED_PEERS || !active || idleStrategy != null)
        {
            return false;
        }
        if (interest == null)
        {
            interest = new PeerWatch.Interest(doorbell.futexAddress());
        }
        final int result = PeerWatch.instance().watch(token, interest);
        if (result == PeerWatch.WATCHED)
        {
            watchedTokens[watchedCount++] = token;
            return true;
        }
        if (result == PeerWatch.EXITED)
        {
            lastCheckNs = System.nanoTime() - LIVENESS_CHECK_INTERVAL_NS; // look again at once
        }
        return false;
    }

    /**
     * For a wait that depends on one other process alone, within a liveness check that found it alive:
     * {@link #watchPeer(long)}, then {@link #peersWatched()} when the process is watched.
     *
     * @param token the process's {@link OwnerToken}.
     */
    public void watchOnly(final long token)
    {
        if (watchedCount > 0 && (watchedCount > 1 || watchedTokens[0] != token))
        {
            unwatchAll(); // the one process this wait depends on changed (a lock passed on): drop the earlier ones
        }
        if (watchPeer(token))
        {
            peersWatched();
        }
    }

    /**
     * Tells this wait that every process it depends on is watched ({@link #watchPeer(long)} returned true for each),
     * or that it depends on none: it sleeps {@link #WATCHED_SLICE_NS} at a time and looks at its peers only every
     * {@link #WATCHED_CHECK_INTERVAL_NS}, until a watched process exits, the doorbell rings, or the wait ends.
     */
    public void peersWatched()
    {
        if (active && idleStrategy == null)
        {
            peersWatched = true;
        }
    }

    /**
     * For a caller that times its looks at its peers with a {@link LivenessCheckInterval} of its own (shared by its
     * waits, so a loop of short waits looks too): that interval's answer, except while this wait sleeps on watched
     * peers ({@link #peersWatched()}), when {@link #livenessCheckDue()} times the looks.
     *
     * @param own the caller's interval.
     * @return true when it is time to look at the peers.
     */
    public boolean livenessCheckDue(final LivenessCheckInterval own)
    {
        return peersWatched ? livenessCheckDue() : own.due();
    }

    private void unwatchAll()
    {
        for (int i = 0; i < watchedCount; i++)
        {
            PeerWatch.instance().unwatch(watchedTokens[i], interest);
        }
        watchedCount = 0;
    }

    /**
     * @return what is left of this wait's time: -1 when it has no limit, 0 once its deadline passed.
     */
    public long remainingNs()
    {
        if (timeoutNs < 0)
        {
            return -1;
        }
        final long leftNs = timeoutNs - (System.nanoTime() - startNs);
        return leftNs > 0 ? leftNs : 0;
    }

    private boolean timeLeft()
    {
        return timeoutNs < 0 || System.nanoTime() - startNs < timeoutNs;
    }

    /**
     * Waits a little: until the doorbell rings, a slice passes (at most {@link #LIVENESS_CHECK_INTERVAL_NS}, or
     * {@link #WATCHED_SLICE_NS} while the peers are watched), a watched peer exits, or one idle step of the strategy.
     *
     * @param observedSequence the value of {@link #sequence()} read before testing the condition.
     * @return false when the deadline has passed (the caller gives up), true to test the condition again.
     * @throws InterruptedException when the thread is interrupted.
     * @throws io.ipckit.core.exceptions.ResourceClosedException when the handle was closed meanwhile.
     */
    public boolean pause(final int observedSequence) throws InterruptedException
    {
        guard.checkOpen();
        if (idleStrategy == null && !registered)
        {
            if (timeoutNs == 0)
            {
                return false;
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            if (spinsLeft > 0)
            {
                spinsLeft--;
                Thread.onSpinWait();
                return true;
            }
            if (!timeLeft())
            {
                return false; // the deadline passed while polling: no need to register (a membarrier) to give up
            }
            if (spinBeforeSleepNs > 0 && System.nanoTime() - startNs < spinBeforeSleepNs)
            {
                // past the first spins, give the core to whoever else is runnable (the peer, on a busy machine)
                Thread.yield();
                return true;
            }
            // register, then let the caller read the sequence and test the condition once more before sleeping
            fenced = doorbell.beginWaitLazily();
            registered = true;
            spinBeforeSlice = spinBeforeSleepNs > 0;
            return true;
        }
        if (!registered)
        {
            // polling with the idle strategy: the deadline is looked at every few steps, as the clock costs as
            // much as a poll (a deadline is overshot by at most that many idle steps)
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            if (timeoutNs == 0 || timeoutNs > 0 && --idleStepsBeforeClock <= 0 && !timeLeftAfterIdleSteps())
            {
                return false;
            }
            idleStrategy.idle();
            return true;
        }
        final long elapsedNs = System.nanoTime() - startNs;
        if (timeoutNs >= 0 && elapsedNs >= timeoutNs)
        {
            return false;
        }
        if (!fenced && doorbell.fenceLate())
        {
            // registered while the futex call was not bound: barrier made now, look once more, then sleep
            fenced = true;
            return true;
        }
        final boolean peerStarting = startNs + elapsedNs - shortSlicesUntilNs < 0;
        if (peersWatched && fenced && !peerStarting)
        {
            if (interest != null && interest.exitNoticed())
            {
                return true; // told before this sleep began: the caller's liveness check looks now
            }
            final long sliceNs = timeoutNs < 0 ? WATCHED_SLICE_NS : Math.min(WATCHED_SLICE_NS, timeoutNs - elapsedNs);
            if (doorbell.awaitChangeOnce(observedSequence, sliceNs))
            {
                peersWatched = false; // rung: the peers may have changed, the next look decides again
            }
            return true;
        }
        final long maxSliceNs = peerStarting ? STARTING_PEER_SLICE_NS : LIVENESS_CHECK_INTERVAL_NS;
        final long sliceNs = timeoutNs < 0 ? maxSliceNs : Math.min(maxSliceNs, timeoutNs - elapsedNs);
        final boolean rung = doorbell.awaitChange(observedSequence, sliceNs, fenced, spinBeforeSlice);
        spinBeforeSlice = rung && spinBeforeSleepNs > 0;
        return true;
    }

    private boolean timeLeftAfterIdleSteps()
    {
        idleStepsBeforeClock = IDLE_STEPS_BETWEEN_CLOCK_READS;
        return timeLeft();
    }
}
