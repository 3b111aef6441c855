package io.ipckit.manager.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
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

    /**
     * A hash of the length and the first, middle and last eight bytes, read as longs: signatures differ in their
     * method name (first) or parameter types (last), a clash only costs a probe, and a loop over every byte, a chain
     * of dependent multiplies, cost as much as the string it replaces.
     */
    private static int hash(final byte[] bytes, final int offset, final int length)
    {
        long h = length * 0x9E37_79B9_7F4A_7C15L;
        if (length >= Long.BYTES)
        {
            h ^= (long)LONGS.get(bytes, offset);
            h = Long.rotateLeft(h * 0xC2B2_AE3D_27D4_EB4FL, 29);
            h ^= (long)LONGS.get(bytes, offset + ((length - Long.BYTES) >> 1));
            h = Long.rotateLeft(h * 0xC2B2_AE3D_27D4_EB4FL, 29);
            h ^= (long)LONGS.get(bytes, offset + length - Long.BYTES);
        }
        else
        {
            for (int i = offset, end = offset + length; i < end; i++)
            {
                h = (h << 8) | (bytes[i] & 0xFF);
            }
        }
        h *= 0x1656_67B1_9E37_79F9L;
        return (int)(h ^ (h >>> 32));
    }
}
