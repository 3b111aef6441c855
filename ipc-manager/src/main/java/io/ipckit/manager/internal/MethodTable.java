package io.ipckit.manager.internal;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * The public methods of one exposed interface by wire signature, looked up either by string or by the signature's
 * bytes inside a call frame: an open-addressing table of the signatures' UTF-8 bytes, so the manager finds a call's
 * method without decoding its signature into a new string and hashing that. The first method of each signature wins,
 * as {@link Class#getMethods()} lists them.
 * <p>
 * Immutable after construction; thread-safe.
 */
final class MethodTable
{
    private final Map<String, ExposedMethod> bySignature = new HashMap<>();
    /** Slots by the hash of the signature's bytes, a power of two at least twice the count; null when empty. */
    private final ExposedMethod[] slots;
    private final int mask;

    MethodTable(final Class<?> type)
    {
        for (final Method method : type.getMethods())
        {
            bySignature.putIfAbsent(Signatures.of(method), ExposedMethod.of(method));
        }
        final int capacity = Integer.highestOneBit(Math.max(4, bySignature.size() * 2 - 1)) << 1;
        slots = new ExposedMethod[capacity];
        mask = capacity - 1;
        for (final ExposedMethod exposed : bySignature.values())
        {
            final byte[] bytes = exposed.signatureBytes();
            int slot = hash(bytes, 0, bytes.length) & mask;
            while (slots[slot] != null)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = exposed;
        }
    }

    /**
     * @param signature a wire signature.
     * @return the method it names, or null.
     */
    ExposedMethod find(final String signature)
    {
        return bySignature.get(signature);
    }

    /**
     * @param frame  a frame.
     * @param offset where a signature's UTF-8 bytes start in it.
     * @param length how many there are.
     * @return the method they name, or null.
     */
    ExposedMethod find(final byte[] frame, final int offset, final int length)
    {
        int slot = hash(frame, offset, length) & mask;
        ExposedMethod exposed;
        while ((exposed = slots[slot]) != null)
        {
            if (exposed.isNamedBy(frame, offset, length))
            {
                return exposed;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static int hash(final byte[] bytes, final int offset, final int length)
    {
        int hash = length;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            hash = 31 * hash + bytes[i];
        }
        return hash ^ (hash >>> 16);
    }
}
