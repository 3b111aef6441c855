package io.ipckit.core.internal.jfr;

import io.ipckit.core.internal.kit.OwnerToken;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: this process took a cross-process lock over from a holder that died while holding it (an
 * {@link io.ipckit.core.internal.kit.OwnerLock} or {@link io.ipckit.core.internal.kit.BiasedOwnerLock}: the sync
 * primitives, queue and pipe locks). The stack trace says which structure. Thread-safe (one event per call).
 */
@Name("io.ipckit.LockTakeover")
@Label("Lock Taken Over From Dead Owner")
@Category("ipckit")
@Description("A cross-process lock held by a process that died was taken over by this process.")
@StackTrace(true)
public final class LockTakeoverEvent extends Event
{
    private static final LockTakeoverEvent PROBE = new LockTakeoverEvent();

    @Label("Dead Owner Pid")
    long deadOwnerPid;

    @Label("New Owner Pid")
    long newOwnerPid;

    /**
     * Emits the event when JFR records it; allocates nothing otherwise.
     *
     * @param deadOwnerToken the {@link OwnerToken} of the dead holder.
     */
    public static void emit(final long deadOwnerToken)
    {
        if (PROBE.isEnabled())
        {
            final LockTakeoverEvent event = new LockTakeoverEvent();
            event.deadOwnerPid = OwnerToken.pid(deadOwnerToken);
            event.newOwnerPid = OwnerToken.pid(OwnerToken.current());
            event.commit();
        }
    }
}
