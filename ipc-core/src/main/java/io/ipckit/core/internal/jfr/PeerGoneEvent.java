package io.ipckit.core.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR event: a call found that the process at the other end of a resource died, and is about to throw
 * {@link io.ipckit.core.exceptions.PeerGoneException}. Emitted once per throw, never on a hot path (a dead peer ends
 * the exchange). Thread-safe (one event per call).
 */
@Name("io.ipckit.PeerGone")
@Label("Peer Gone")
@Category("ipckit")
@Description("The process at the other end of a pipe died; the caller gets a PeerGoneException.")
public final class PeerGoneEvent extends Event
{
    private static final PeerGoneEvent PROBE = new PeerGoneEvent();

    @Label("Resource")
    String resource;

    @Label("Dead Peer Pid")
    long deadPid;

    @Label("Direction")
    @Description("\"receive\" when every committed message was received first, \"send\" when nothing more can be sent.")
    String direction;

    /**
     * Emits the event when JFR records it; allocates nothing otherwise.
     *
     * @param resource  what the caller was using (the pipe's description).
     * @param deadPid   the pid of the dead peer.
     * @param direction {@code "receive"} or {@code "send"}.
     */
    public static void emit(final String resource, final long deadPid, final String direction)
    {
        if (PROBE.isEnabled())
        {
            final PeerGoneEvent event = new PeerGoneEvent();
            event.resource = resource;
            event.deadPid = deadPid;
            event.direction = direction;
            event.commit();
        }
    }
}
