package io.ipckit.manager.internal;

/**
 * Who is calling, for managed objects that own things per caller (locks): the client connection and the client
 * thread, set by the manager around every call on the thread that runs it.
 *
 * @param session  the client's connection.
 * @param threadId the calling thread's id in the client.
 */
public record CallContext(ServerSession session, long threadId)
{
    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();

    /**
     * @return the caller of the call running on this thread, or a context of no session when called in the manager's
     * own code.
     */
    public static CallContext current()
    {
        final CallContext context = CURRENT.get();
        return context != null ? context : new CallContext(null, Thread.currentThread().threadId());
    }

    static void set(final CallContext context)
    {
        if (context == null)
        {
            CURRENT.remove();
        }
        else
        {
            CURRENT.set(context);
        }
    }
}
