package io.ipckit.core.codec;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits every decode of the object codec takes from its message: a short forged message must fail fast with
 * an exception naming the limit, not hash for hours or run out of heap, and no real message may hit them.
 */
class SerializableLimitsTest
{
    private static final int TC_ARRAY = 0x75;
    private static final int TC_CLASSDESC = 0x72;
    private static final int TC_REFERENCE = 0x71;
    private static final int BASE_HANDLE = 0x7e0000;

    /**
     * Nested hash sets ("SerialDOS"): each level doubles the hashing, so 40 levels in about 2 KB ran for hours.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseNestedHashSetsDeeperThanTheLimit() throws IOException
    {
        final byte[] bytes = serialize(nestedSets(40));
        assertTrue(bytes.length < 4096, "a short message: " + bytes.length);

        final IpcException ex = assertThrows(IpcException.class, () -> decode(Codecs.serializable(), bytes));
        assertTrue(ex.getMessage().contains("nested more than 20 deep (the nesting limit)"), ex.getMessage());
        assertTrue(ex.getMessage().contains("Codecs.serializableWithMaxDepth"), ex.getMessage());
        assertTrue(ex.getMessage().contains("-Dipckit.codec.max.depth"), ex.getMessage());
    }

    /**
     * A 35-byte long[] whose header claims 99,999,999 elements made the receiver allocate 800 MB before reading one.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseAPrimitiveArrayLongerThanItsMessage() throws IOException
    {
        final byte[] bytes = forgedArrays(0, 99_999_999);
        assertEquals(35, bytes.length);

        final IpcException ex = assertThrows(IpcException.class, () -> decode(Codecs.serializable(), bytes));
        assertEquals("refused to deserialize a message (35 bytes): it declares a long[] of 99999999 elements, more " +
            "than its 35 bytes can hold: the message is corrupt or forged", ex.getMessage());
    }

    /**
     * Nested Object[] each claiming 99,999,999 elements: each one was allocated before its first element was read.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseNestedObjectArraysLongerThanTheirMessage() throws IOException
    {
        final byte[] bytes = forgedArrays(5, 99_999_999);

        final IpcException ex = assertThrows(IpcException.class, () -> decode(Codecs.serializable(), bytes));
        assertTrue(ex.getMessage().contains("it declares a java.lang.Object[] of 99999999 elements, more than its " +
            bytes.length + " bytes can hold"), ex.getMessage());
    }

    /**
     * Arrays that each fit but together claim more than the message holds: each level would allocate the message's
     * length again.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseArraysThatTogetherClaimMoreThanTheMessage() throws IOException
    {
        final byte[] small = forgedArrays(5, 1);
        final byte[] bytes = forgedArrays(5, small.length - 1);

        final IpcException ex = assertThrows(IpcException.class, () -> decode(Codecs.serializable(), bytes));
        assertTrue(ex.getMessage().contains("more than its " + bytes.length + " bytes can hold"), ex.getMessage());
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDecodeRealValuesUpToTheLimits() throws IOException
    {
        final Map<String, Object> value = new HashMap<>();
        value.put("longs", new long[] {1, 2, 3});
        value.put("bytes", new byte[100_000]);
        value.put("nulls", new Object[1000]);
        value.put("lists", new ArrayList<>(List.of(List.of(1, 2), List.of(), new int[0][0])));
        value.put("sets", nestedSets(8));
        value.put("error", new IllegalStateException("outer", new RuntimeException("middle", new Error("inner"))));
        final byte[] bytes = serialize(value);
        final Map<?, ?> decoded = (Map<?, ?>)decode(Codecs.serializable(), bytes);
        assertArrayEquals(new long[] {1, 2, 3}, (long[])decoded.get("longs"));
        assertEquals(100_000, ((byte[])decoded.get("bytes")).length);
        assertEquals("inner", ((Throwable)decoded.get("error")).getCause().getCause().getMessage());

        final byte[] deep = serialize(nestedLists(19));
        assertEquals(nestedLists(19), decode(Codecs.serializable(), deep));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldDecodeDeeperValuesWithARaisedLimit() throws IOException
    {
        final byte[] bytes = serialize(nestedLists(30));
        final IpcException ex = assertThrows(IpcException.class, () -> decode(Codecs.serializable(), bytes));
        assertTrue(ex.getMessage().contains("nested more than 20 deep"), ex.getMessage());

        assertEquals(nestedLists(30), decode(Codecs.serializableWithMaxDepth(40), bytes));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> Codecs.serializableWithMaxDepth(0));
        assertEquals("maxDepth is 0: the nesting limit of a message must be at least 1 (the default is 20)",
            refused.getMessage());
    }

    private static Object decode(final Codec<Object> codec, final byte[] bytes)
    {
        return codec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static byte[] serialize(final Object value) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static List<Object> nestedLists(final int depth)
    {
        List<Object> list = new ArrayList<>(List.of("leaf"));
        for (int i = 1; i < depth; i++)
        {
            list = new ArrayList<>(List.of(list));
        }
        return list;
    }

    /**
     * @return the classic two-chains-of-sets payload: decoding {@code levels} of it hashes about 2^levels times.
     */
    private static Set<Object> nestedSets(final int levels)
    {
        final Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < levels; i++)
        {
            final Set<Object> t1 = new HashSet<>();
            final Set<Object> t2 = new HashSet<>();
            t1.add("x");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        return root;
    }

    /**
     * @return a stream of {@code objectArrays} nested {@code Object[]}, innermost holding a {@code long[]}, every
     * array's header claiming {@code claimed} elements though only the first element of each follows.
     */
    private static byte[] forgedArrays(final int objectArrays, final int claimed) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(0xACED);
        out.writeShort(5);
        int handle = BASE_HANDLE;
        int objectArrayDesc = -1;
        for (int i = 0; i < objectArrays; i++)
        {
            out.writeByte(TC_ARRAY);
            if (objectArrayDesc < 0)
            {
                writeClassDesc(out, Object[].class);
                objectArrayDesc = handle++;
            }
            else
            {
                out.writeByte(TC_REFERENCE);
                out.writeInt(objectArrayDesc);
            }
            handle++; // the array's own handle
            out.writeInt(claimed);
        }
        out.writeByte(TC_ARRAY);
        writeClassDesc(out, long[].class);
        out.writeInt(claimed);
        out.writeLong(0);
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeClassDesc(final DataOutputStream out, final Class<?> type) throws IOException
    {
        out.writeByte(TC_CLASSDESC);
        out.writeUTF(type.getName());
        out.writeLong(ObjectStreamClass.lookup(type).getSerialVersionUID());
        out.writeByte(0x02); // SC_SERIALIZABLE
        out.writeShort(0);
        out.writeByte(0x78); // TC_ENDBLOCKDATA
        out.writeByte(0x70); // TC_NULL: no superclass
    }
}
