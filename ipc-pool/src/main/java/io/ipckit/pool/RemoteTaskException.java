package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;

/**
 * A task failed in a worker JVM. When the worker's exception can be sent back it is delivered as it is (with its
 * remote stack trace) and this exception is attached to it as suppressed, naming the worker; when it cannot (not
 * serializable, or refused by the allow-list) this exception replaces it, carrying its class, message and remote
 * stack trace, caused by such stand-ins of its causes, with the pool's refusal
 * (naming the class refused) attached as suppressed.
 */
public final class RemoteTaskException extends IpcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and where.
     */
    public RemoteTaskException(final String message)
    {
        super(message);
    }
}
