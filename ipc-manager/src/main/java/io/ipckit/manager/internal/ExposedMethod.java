package io.ipckit.manager.internal;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * A method of an exposed interface with what every call of it needs worked out once: its wire signature, as a string
 * and as the UTF-8 bytes a call frame carries, whether it blocks by contract, whether it declares
 * {@link InterruptedException}, and where its {@code (long, TimeUnit)} timeout is. Reflection hands out a new array on
 * each {@link Method#getParameterTypes()} and {@link Method#getExceptionTypes()}, and a frame's signature decoded per
 * call is a new string to hash: a call that asked each time paid for them on both sides.
 * <p>
 * Immutable and thread-safe; made by {@link Signatures}.
 *
 * @param method         the method.
 * @param signature      its wire signature ({@link Signatures#of}).
 * @param signatureBytes the signature's UTF-8 bytes, as a frame carries them; never modified.
 * @param blocking       true when it may block without limit ({@link Signatures#blocking}).
 * @param interruptible  true when it declares {@link InterruptedException}.
 * @param timeoutIndex   the index of its {@code (long timeout, TimeUnit unit)} pair's first element, or -1.
 */
public record ExposedMethod(Method method, String signature, byte[] signatureBytes, boolean blocking,
                            boolean interruptible, int timeoutIndex)
{
    /** {@code toString()}, which every managed object answers though no exposed interface declares it. */
    public static final ExposedMethod TO_STRING = toStringMethod();

    /**
     * @param method a method of an exposed interface.
     * @return what its calls need.
     */
    static ExposedMethod of(final Method method)
    {
        final String signature = Signatures.of(method);
        boolean interruptible = false;
        for (final Class<?> type : method.getExceptionTypes())
        {
            interruptible |= type == InterruptedException.class;
        }
        return new ExposedMethod(method, signature, signature.getBytes(StandardCharsets.UTF_8),
            Signatures.blocking(method), interruptible, Signatures.timeoutIndex(method));
    }

    /**
     * @param frame  a frame.
     * @param offset where a signature's bytes start in it.
     * @param length how many there are.
     * @return true when they are this method's signature.
     */
    boolean isNamedBy(final byte[] frame, final int offset, final int length)
    {
        return java.util.Arrays.equals(signatureBytes, 0, signatureBytes.length, frame, offset, offset + length);
    }

    private static ExposedMethod toStringMethod()
    {
        try
        {
            return of(Object.class.getMethod("toString"));
        }
        catch (final NoSuchMethodException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}
