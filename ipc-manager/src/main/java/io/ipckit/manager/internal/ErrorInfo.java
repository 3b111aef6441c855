package io.ipckit.manager.internal;

import io.ipckit.manager.RemoteManagerException;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * An exception raised in the manager, as sent back: class name, message, manager-side stack trace and cause chain.
 * Sent instead of the exception itself so that the client decodes only allow-listed classes.
 *
 * @param className the exception's class.
 * @param message   its message.
 * @param trace     its stack trace in the manager.
 * @param cause     its cause, or null.
 */
public record ErrorInfo(String className, String message, StackTraceElement[] trace, ErrorInfo cause)
    implements Serializable
{
    private static final int MAX_CAUSES = 8;

    /**
     * @param error an exception raised in the manager.
     * @return its description.
     */
    public static ErrorInfo of(final Throwable error)
    {
        return of(error, 0);
    }

    private static ErrorInfo of(final Throwable error, final int depth)
    {
        final Throwable cause = error.getCause();
        return new ErrorInfo(error.getClass().getName(), error.getMessage(), error.getStackTrace(),
            cause == null || cause == error || depth >= MAX_CAUSES ? null : of(cause, depth + 1));
    }

    /**
     * @return the manager-side exception rebuilt as a {@link RemoteManagerException} chain.
     */
    public RemoteManagerException toRemote()
    {
        return new RemoteManagerException(className, message, trace == null ? new StackTraceElement[0] : trace,
            cause == null ? null : cause.toRemote());
    }

    /**
     * Rebuilds the exception for the caller: the same class when it is loadable, has a public {@code (String)} or
     * {@code (String, Throwable)} constructor and may be thrown from {@code method} (unchecked or declared); else the remote exception itself.
     * Either way the manager-side trace is reachable as the cause.
     *
     * @param method the called method, or null.
     * @return what the caller throws.
     */
    public Throwable toLocal(final Method method)
    {
        final RemoteManagerException remote = toRemote();
        try
        {
            final Class<?> type = Class.forName(className, false, ErrorInfo.class.getClassLoader());
            if (!Throwable.class.isAssignableFrom(type) || !throwable(type, method))
            {
                return remote;
            }
            try
            {
                final Constructor<?> constructor = type.getConstructor(String.class);
                final Throwable local = (Throwable)constructor.newInstance(message);
                local.initCause(remote);
                return local;
            }
            catch (final NoSuchMethodException ex)
            {
                // ExecutionException, CompletionException: only their (message, cause) constructor is public
                return (Throwable)type.getConstructor(String.class, Throwable.class).newInstance(message, remote);
            }
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return remote;
        }
    }

    private static boolean throwable(final Class<?> type, final Method method)
    {
        if (RuntimeException.class.isAssignableFrom(type) || Error.class.isAssignableFrom(type))
        {
            return true;
        }
        if (method != null)
        {
            for (final Class<?> declared : method.getExceptionTypes())
            {
                if (declared.isAssignableFrom(type))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
