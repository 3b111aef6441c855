package io.ipckit.manager;

/**
 * What tests need to know about a thread calling through a proxy.
 */
final class Callers
{
    private Callers()
    {
    }

    /**
     * @param thread a thread.
     * @return true when it waits for a manager's reply: parked, or reading replies from its pipe (a futex wait in
     * native code shows as RUNNABLE).
     */
    static boolean waitsForReply(final Thread thread)
    {
        final Thread.State state = thread.getState();
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
        {
            return true;
        }
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            if (frame.getClassName().endsWith("ClientConnection") && frame.getMethodName().startsWith("await"))
            {
                return true;
            }
        }
        return false;
    }
}
