package io.ipckit.manager.internal;

import io.ipckit.manager.connection.FrameConnection;

import java.lang.reflect.Method;

/**
 * One call of a {@link ClientConnection} waiting for its reply. The caller fills it and registers it in the
 * {@link ClientLink} before sending, so a reply cannot outrun it; whoever reads the reply writes {@link #value} or
 * {@link #error}, then publishes them by the volatile store of {@link #done}, then unparks the caller.
 */
final class PendingCall
{
    /** The thread waiting for the reply. */
    final Thread caller;
    /** The interface method called, or null for a call on the manager itself. */
    final Method method;
    /** The call's frame, kept to send it again after a reconnection (a durable manager's client only). */
    Wire.Out frame;
    /** The call's id, given at registration. */
    long callId;
    /** The socket it goes out on, taken at registration: null when the link is down (a reconnection sends it). */
    FrameConnection via;
    /** The pipe it goes out on, taken at registration, or null. */
    ClientPipe viaPipe;
    /** How many copies for sending again a reconnection had taken before this call registered. */
    long resendCopiesAtRegistration;
    /** The result, refs resolved into proxies. */
    Object value;
    /** What the call threw, or null. */
    Throwable error;
    /** True once {@link #value} or {@link #error} is written. */
    volatile boolean done;
    /** Set when its interrupted caller sent (or tried to send) a cancel. */
    volatile boolean cancelled;

    PendingCall(final Thread caller, final Method method)
    {
        this.caller = caller;
        this.method = method;
    }
}
