package io.ipckit.manager.internal;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How a method is named on the wire and how a proxy waits for it. A method's signature is its name and parameter
 * types, so overloads stay apart; both ends compute it from the same interface. Thread-safe (immutable tables built
 * per class through {@link ClassValue}, and a concurrent map of the proxies' methods).
 */
public final class Signatures
{
    private static final ClassValue<MethodTable> BY_SIGNATURE = new ClassValue<>()
    {
        @Override
        protected MethodTable computeValue(final Class<?> type)
        {
            return new MethodTable(type);
        }
    };
    /** The client side's: the proxy's interface methods, which may be another class's than the manager's type. */
    private static final Map<Method, ExposedMethod> BY_METHOD = new ConcurrentHashMap<>();

    private Signatures()
    {
    }

    /**
     * @param method a method.
     * @return its wire signature, e.g. {@code put(java.lang.Object,java.lang.Object)}.
     */
    public static String of(final Method method)
    {
        final StringBuilder sb = new StringBuilder(method.getName()).append('(');
        final Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++)
        {
            sb.append(i == 0 ? "" : ",").append(types[i].getName());
        }
        return sb.append(')').toString();
    }

    /**
     * @param type      an exposed interface.
     * @param signature a wire signature.
     * @return the public method of {@code type} it names, or null: only these may be called.
     */
    public static Method find(final Class<?> type, final String signature)
    {
        final ExposedMethod exposed = BY_SIGNATURE.get(type).find(signature);
        return exposed == null ? null : exposed.method();
    }

    /**
     * Finds the public method a call frame names, from the signature's bytes in place: no string is made.
     *
     * @param type   an exposed interface.
     * @param frame  the frame.
     * @param offset where the signature's UTF-8 bytes start.
     * @param length how many there are.
     * @return the method of {@code type} it names with what its calls need, or null: only these may be called.
     */
    public static ExposedMethod find(final Class<?> type, final byte[] frame, final int offset, final int length)
    {
        return BY_SIGNATURE.get(type).find(frame, offset, length);
    }

    /**
     * @param method a method of an exposed interface, as a proxy sees it.
     * @return what its calls need, worked out at its first call.
     */
    public static ExposedMethod exposed(final Method method)
    {
        final ExposedMethod known = BY_METHOD.get(method);
        return known != null ? known : BY_METHOD.computeIfAbsent(method, ExposedMethod::of);
    }

    /**
     * Does the method block by contract? Those declaring {@link InterruptedException}, and {@code lock()} and
     * {@code awaitUninterruptibly()}: their call waits for its reply without the call timeout.
     *
     * @param method a method.
     * @return true when it may block without limit.
     */
    public static boolean blocking(final Method method)
    {
        for (final Class<?> type : method.getExceptionTypes())
        {
            if (type == InterruptedException.class)
            {
                return true;
            }
        }
        final String name = method.getName();
        return method.getParameterCount() == 0 && (name.equals("lock") || name.equals("awaitUninterruptibly"));
    }

    /**
     * @param method a method.
     * @return the index of its {@code (long timeout, TimeUnit unit)} pair's first element, or -1.
     */
    public static int timeoutIndex(final Method method)
    {
        final Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i + 1 < types.length; i++)
        {
            if (types[i] == long.class && types[i + 1] == TimeUnit.class)
            {
                return i;
            }
        }
        return -1;
    }
}
