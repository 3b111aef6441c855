package io.ipckit.manager.internal;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How a method is named on the wire and how a proxy waits for it. A method's signature is its name and parameter
 * types, so overloads stay apart; both ends compute it from the same interface. Thread-safe (immutable caches built
 * per class through {@link ClassValue}).
 */
public final class Signatures
{
    private static final ClassValue<Map<String, Method>> BY_SIGNATURE = new ClassValue<>()
    {
        @Override
        protected Map<String, Method> computeValue(final Class<?> type)
        {
            final Map<String, Method> methods = new HashMap<>();
            for (final Method method : type.getMethods())
            {
                methods.putIfAbsent(of(method), method);
            }
            return methods;
        }
    };

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
        return BY_SIGNATURE.get(type).get(signature);
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
