package io.ipckit.manager;

import io.ipckit.core.exceptions.IpcException;

/**
 * An exception raised inside the manager by a proxied call. When the original exception's class is loadable here,
 * unchecked or declared by the called method, and has a {@code (String)} constructor, the caller gets an instance of
 * that class with this as its cause; otherwise the caller gets this. Either way this carries the manager-side stack
 * trace ({@link #getStackTrace()}), the original class name ({@link #remoteClassName()}) and the manager-side
 * cause chain.
 */
public class RemoteManagerException extends IpcException
{
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    /**
     * @param remoteClassName the class of the exception raised in the manager.
     * @param message         its message.
     * @param trace           its manager-side stack trace.
     * @param cause           its manager-side cause, rebuilt the same way, or null.
     */
    public RemoteManagerException(
        final String remoteClassName, final String message, final StackTraceElement[] trace, final Throwable cause)
    {
        super("raised in the manager: " + remoteClassName + (message == null ? "" : ": " + message), cause);
        this.remoteClassName = remoteClassName;
        setStackTrace(trace);
    }

    /**
     * @return the class name of the exception the manager raised.
     */
    public String remoteClassName()
    {
        return remoteClassName;
    }
}
