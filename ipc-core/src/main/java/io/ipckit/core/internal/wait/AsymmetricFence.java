package io.ipckit.core.internal.wait;

import io.ipckit.core.internal.os.Native;

import java.lang.invoke.VarHandle;

/**
 * The store-then-load fence of a wake-up protocol, moved from the side that runs for every message to the side that
 * is about to sleep.
 * <p>
 * A wake-up protocol is a Dekker pattern: the progressing side stores (publishes a message) and then loads the
 * waiter count; the waiting side stores (registers as a waiter) and then loads the condition. Each side needs a full
 * fence between its store and its load, or both may miss the other's store and the waiter sleeps through the
 * message. A full fence per message waits for the message's cache lines to leave the store buffer, which costs as
 * much as the rest of the send.
 * <p>
 * With Linux's {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)} the waiting side makes every running thread of
 * every registered process execute a full fence before it looks at the condition; the progressing side then needs
 * only to keep its store and its load in program order, which ordered (release/volatile) accesses do. Every process
 * that loads ipckit registers itself ({@code MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED}) when this class is first
 * used. Where the command is missing (old kernels, seccomp, other systems) or {@code -Dipckit.membarrier=false} is
 * given, {@link #progressSide()} is a full fence as before.
 * <p>
 * The query and the registration are made once the system call is bound ({@link NativeBinding}: in the background,
 * a little after this class is first used), and the registration waits in the kernel for an RCU grace period (7 to
 * 16 ms measured); until it has returned, {@link #progressSide()} fences as an unregistered process must, so a
 * starting process's first message waits for neither. {@link #waitingSide()} binds at once when it must. The switch is safe at any moment: a process skips its fence only after its
 * registration has completed, so every waiting side's barrier from then on reaches it, and a waiting side's barrier
 * made before had already made the waiter's registration visible to every later load.
 * <p>
 * Thread-safe and process-safe; no allocation.
 */
public final class AsymmetricFence
{
    /** System property: false turns the asymmetric fence off in this process (every publish fences). */
    public static final String ENABLED_PROP_NAME = "ipckit.membarrier";

    /** {@code MEMBARRIER_CMD_QUERY}: the mask of the commands the kernel offers. */
    static final int MEMBARRIER_CMD_QUERY = 0;
    private static final int MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final int MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;
    private static final int UNKNOWN = 0;
    private static final int OFFERED = 1;
    private static final int NOT_OFFERED = 2;

    /** Whether the kernel offers the global expedited barrier: a waiting side can fence registered processes. */
    private static volatile int offered = UNKNOWN;
    /** This process receives those barriers: its progressing side may skip its own fence. Set once, never cleared. */
    private static volatile boolean registered;
    private static volatile boolean failureReported;

    static
    {
        if (Native.isLinux() && !"false".equals(System.getProperty(ENABLED_PROP_NAME)))
        {
            NativeBinding.instance().bindSoon(); // then registers, so that a busy producer soon stops fencing
        }
    }

    private AsymmetricFence()
    {
    }

    /**
     * @return true when this process skips the fence on its progressing side: false until the background
     * registration has returned, and for good where it is not offered or turned off.
     */
    public static boolean isRegistered()
    {
        return registered;
    }

    /**
     * @return true when this process registers (or has registered) to skip its fences: the kernel offers the
     * barrier and {@value #ENABLED_PROP_NAME} is not false. Binds the system call when it is not bound yet.
     */
    public static boolean isRegistrationWanted()
    {
        return isOffered() && !"false".equals(System.getProperty(ENABLED_PROP_NAME));
    }

    /**
     * Between the progressing side's publishing store and its load of the waiter count: nothing when this process
     * is registered (the store and the load must be ordered accesses), a full fence otherwise.
     */
    public static void progressSide()
    {
        if (!registered)
        {
            VarHandle.fullFence();
        }
    }

    /**
     * Between the waiting side's registration (an atomic read-modify-write of the waiter count) and its last look at
     * the condition before sleeping: a global expedited membarrier, a few microseconds, then a full fence. If the
     * kernel refuses the barrier after all, says so once on standard error and returns false; a waiter then notices
     * a missed wake-up at the end of its sleep slice (at most {@link WakeSignal#MAX_SLEEP_SLICE_NS}) instead of at
     * once, and a caller that must not proceed on an unfenced check (a revocation) retries or refuses.
     *
     * @return true when every registered process was fenced (or none can skip its fence: the kernel lacks the
     * command); false when the barrier failed.
     */
    public static boolean waitingSide()
    {
        boolean fenced = true;
        if (isOffered() && Native.membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0)
        {
            fenced = false;
            if (!failureReported)
            {
                failureReported = true;
                System.err.println("ipckit: membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) failed; wake-ups of this " +
                    "process may come late (start every JVM with -D" + ENABLED_PROP_NAME + "=false to avoid that)");
            }
        }
        VarHandle.fullFence();
        return fenced;
    }

    /**
     * {@link #waitingSide()} when the system call is bound; otherwise only a full fence, without binding it. A
     * caller that gets false must not sleep on a futex in this wait (a registered process's publish may not be
     * visible to it yet): it polls, and finds the publish at its next look.
     *
     * @return true when every registered process was fenced; false when the caller must poll.
     */
    public static boolean waitingSideIfBound()
    {
        if (!NativeBinding.instance().isBound())
        {
            VarHandle.fullFence();
            return false;
        }
        return waitingSide();
    }

    /**
     * Called once the system call is bound, with the query's mask: records what the kernel offers and, where wanted,
     * registers this process (in the calling thread, the binding's). Idempotent.
     */
    static void afterBinding(final long mask)
    {
        if (record(mask) && isRegistrationWanted())
        {
            register();
        }
    }

    private static boolean isOffered()
    {
        int state = offered;
        if (state == UNKNOWN)
        {
            // a caller that needs the barrier now: bind in this thread, register in another (an RCU grace period)
            if (record(Native.membarrier(MEMBARRIER_CMD_QUERY)) && isRegistrationWanted())
            {
                final Thread registrar = new Thread(AsymmetricFence::register, "ipckit-membarrier-register");
                registrar.setDaemon(true);
                registrar.start();
            }
            state = offered;
        }
        return state == OFFERED;
    }

    /**
     * @return true for the one caller that recorded the mask first.
     */
    private static synchronized boolean record(final long mask)
    {
        if (offered != UNKNOWN)
        {
            return false;
        }
        offered = mask > 0 && (mask & MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0 &&
            (mask & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) != 0 ? OFFERED : NOT_OFFERED;
        return true;
    }

    private static void register()
    {
        try
        {
            registered = Native.membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
        }
        catch (final RuntimeException ex)
        {
            // stays unregistered: every publish keeps its fence
        }
    }
}
