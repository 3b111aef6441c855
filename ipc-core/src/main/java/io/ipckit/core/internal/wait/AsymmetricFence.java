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
 * used, before it can publish anything. Where the command is missing (old kernels, seccomp, other systems) or
 * {@code -Dipckit.membarrier=false} is given, {@link #progressSide()} is a full fence as before.
 * <p>
 * Thread-safe and process-safe; no allocation.
 */
public final class AsymmetricFence
{
    /** System property: false turns the asymmetric fence off in this process (every publish fences). */
    public static final String ENABLED_PROP_NAME = "ipckit.membarrier";

    private static final int MEMBARRIER_CMD_QUERY = 0;
    private static final int MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final int MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /** The kernel offers the global expedited barrier: a waiting side can fence registered processes. */
    private static final boolean SUPPORTED;
    /** This process receives those barriers: its progressing side may skip its own fence. */
    private static final boolean REGISTERED;
    private static volatile boolean failureReported;

    static
    {
        final long mask = Native.membarrier(MEMBARRIER_CMD_QUERY);
        SUPPORTED = mask > 0 && (mask & MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0 &&
            (mask & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) != 0;
        REGISTERED = SUPPORTED && !"false".equals(System.getProperty(ENABLED_PROP_NAME)) &&
            Native.membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
    }

    private AsymmetricFence()
    {
    }

    /**
     * @return true when this process skips the fence on its progressing side.
     */
    public static boolean isRegistered()
    {
        return REGISTERED;
    }

    /**
     * Between the progressing side's publishing store and its load of the waiter count: nothing when this process
     * is registered (the store and the load must be ordered accesses), a full fence otherwise.
     */
    public static void progressSide()
    {
        if (!REGISTERED)
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
        if (SUPPORTED && Native.membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0)
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
}
