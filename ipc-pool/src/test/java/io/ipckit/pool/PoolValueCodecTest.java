package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolValueCodecTest
{
    /** A record of leaves and a nested record. */
    record Point(int x, long y, String label, Inner inner) implements Serializable
    {
    }

    /** A nested record. */
    record Inner(double weight, char mark) implements Serializable
    {
    }

    /** A record whose canonical constructor checks its value, as deserialization would run it. */
    record Positive(int value) implements Serializable
    {
        Positive
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException("not positive: " + value);
            }
        }
    }

    /** A record with a component that is not compact: the whole record is serialized. */
    record Holder(List<String> names) implements Serializable
    {
    }

    /** A record that is not serializable: refused, as serialization refuses it. */
    record Plain(int value)
    {
    }

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
    private final PoolValueCodec trusting = new PoolValueCodec(null);

    @Test
    void shouldRoundTripEveryLeafType()
    {
        for (final Object value : new Object[] {null, 7, 7L, 7.5, "héllo", true, (byte)-3, (short)300, 'x', 2.5f, ""})
        {
            assertEquals(value, roundTrip(trusting, value));
        }
    }

    @Test
    void shouldRoundTripStringsWithUnpairedSurrogatesUnchanged()
    {
        for (final String value : new String[] {"a\uD800b", "\uDC00", "x\uDBFF", "\uDC00\uD800", "\uD83D\uDE00\uD83D"})
        {
            assertEquals(value, roundTrip(trusting, value));
            assertEquals(List.of(value, "ok"), roundTrip(trusting, new ArrayList<>(List.of(value, "ok"))));
        }
        assertEquals("\uD83D\uDE00 é ok", roundTrip(trusting, "\uD83D\uDE00 é ok"));
    }

    @Test
    void shouldRoundTripPrimitiveArrays()
    {
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[])roundTrip(trusting, new byte[] {1, 2, 3}));
        assertArrayEquals(new int[] {1, -2, Integer.MAX_VALUE}, (int[])roundTrip(trusting, new int[] {1, -2, Integer.MAX_VALUE}));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 0}, (long[])roundTrip(trusting, new long[] {Long.MIN_VALUE, 0}));
        assertArrayEquals(new double[] {1.5, Double.NaN}, (double[])roundTrip(trusting, new double[] {1.5, Double.NaN}));
        assertArrayEquals(new int[0], (int[])roundTrip(trusting, new int[0]));
    }

    @Test
    void shouldRoundTripObjectArraysAndArrayListsOfLeavesAndRecords()
    {
        final Object[] pair = {1, "two", null, new Inner(3.0, 'c')};
        assertArrayEquals(pair, (Object[])roundTrip(trusting, pair));
        final ArrayList<Object> list = new ArrayList<>(Arrays.asList(4L, "five", new Inner(6.0, 'f')));
        final Object decoded = roundTrip(trusting, list);
        assertInstanceOf(ArrayList.class, decoded);
        assertEquals(list, decoded);
    }

    @Test
    void shouldRoundTripNestedRecordsCompactly()
    {
        final Point point = new Point(1, 2L, "p", new Inner(0.5, 'z'));
        final int compact = trusting.encode(point, buffer, 0);
        assertEquals(point, trusting.decode(buffer, 0, compact));
        final ExpandableArrayBuffer other = new ExpandableArrayBuffer(64);
        final int serialized = io.ipckit.core.codec.Codecs.serializable().encode(point, other, 0);
        assertTrue(compact < serialized, "a record of leaves is shorter than serialized: " + compact + " vs " +
            serialized);
    }

    @Test
    void shouldSerializeContainersAndRecordsHoldingOtherTypes()
    {
        final Holder holder = new Holder(List.of("a", "b"));
        assertEquals(holder, roundTrip(trusting, holder));
        final LinkedList<Integer> linked = new LinkedList<>(List.of(1, 2));
        assertEquals(linked, roundTrip(trusting, linked));
        assertInstanceOf(LinkedList.class, roundTrip(trusting, linked));
        final Object[] withList = {1, new ArrayList<>(List.of(2))};
        assertEquals(List.of(2), ((Object[])roundTrip(trusting, withList))[1]);
    }

    @Test
    void shouldKeepACycleThroughAnObjectArrayBySerializingIt()
    {
        final Object[] cycle = new Object[2];
        cycle[0] = 1;
        cycle[1] = cycle;
        final Object[] decoded = (Object[])roundTrip(trusting, cycle);
        assertEquals(1, decoded[0]);
        assertSame(decoded, decoded[1]);
    }

    @Test
    void shouldSerializeRecordsNestedDeeperThanTheLimit()
    {
        Object value = "leaf";
        for (int i = 0; i < PoolValueCodec.MAX_DEPTH + 2; i++)
        {
            value = new Object[] {value};
        }
        Object decoded = roundTrip(trusting, value);
        for (int i = 0; i < PoolValueCodec.MAX_DEPTH + 2; i++)
        {
            decoded = ((Object[])decoded)[0];
        }
        assertEquals("leaf", decoded);
    }

    @Test
    void shouldRunTheCanonicalConstructorWhenDecodingARecord()
    {
        final int length = trusting.encode(new Positive(5), buffer, 0);
        buffer.putInt(length - Integer.BYTES, -5, java.nio.ByteOrder.LITTLE_ENDIAN);
        final IpcException refused = assertThrows(IpcException.class, () -> trusting.decode(buffer, 0, length));
        assertTrue(refused.getMessage().contains("refused the values sent"), refused.getMessage());
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
    }

    @Test
    void shouldRefuseARecordClassTheFilterRejects()
    {
        final PoolValueCodec guarded = new PoolValueCodec((info) -> info.serialClass() == Inner.class ?
            ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
        final int length = trusting.encode(new Inner(1.0, 'a'), buffer, 0);
        final IpcException refused = assertThrows(IpcException.class, () -> guarded.decode(buffer, 0, length));
        assertTrue(refused.getMessage().contains("not allowed by the pool's filter"), refused.getMessage());
        final int other = trusting.encode(new Positive(3), buffer, 0);
        assertEquals(new Positive(3), guarded.decode(buffer, 0, other), "a class the filter leaves undecided passes");
    }

    @Test
    void shouldAdmitARecordClassOfThePoolsAllowList()
    {
        final PoolValueCodec guarded = new PoolValueCodec(new PoolClassFilter(new String[0]));
        final int length = trusting.encode(new Inner(1.0, 'a'), buffer, 0);
        assertEquals(new Inner(1.0, 'a'), guarded.decode(buffer, 0, length));
    }

    @Test
    void shouldRefuseARecordThatIsNotSerializable()
    {
        assertThrows(IpcException.class, () -> trusting.encode(new Plain(1), buffer, 0));
    }

    @Test
    void shouldRefuseAnUnknownTag()
    {
        buffer.putByte(0, (byte)99);
        assertThrows(IpcException.class, () -> trusting.decode(buffer, 0, 1));
        assertNull(roundTrip(trusting, null));
    }

    @Test
    void shouldRebuildLambdasWithoutSerializationWhenTheyCaptureLeavesAndRecords() throws Exception
    {
        final int base = 40;
        final String label = "answer";
        final Inner inner = new Inner(0.5, 'q');
        final SerializableCallable<String> capturing = () -> label + (base + 2) + inner.mark();
        final SerializableFunction<Integer, Integer> plain = (x) -> x * 2;

        assertEquals(LAMBDA_TAG, tagOf(capturing));
        assertEquals("answer42q", ((SerializableCallable<?>)roundTrip(trusting, capturing)).call());
        assertEquals(LAMBDA_TAG, tagOf(plain));
        @SuppressWarnings("unchecked")
        final SerializableFunction<Integer, Integer> decoded =
            (SerializableFunction<Integer, Integer>)roundTrip(trusting, plain);
        assertEquals(14, decoded.apply(7));
        final SerializableFunction<Integer, Integer> reference = Integer::reverse;
        assertEquals(Integer.reverse(5), ((SerializableFunction<Integer, Integer>)roundTrip(trusting, reference))
            .apply(5));
    }

    @Test
    void shouldSerializeLambdasThatCaptureOtherObjects() throws Exception
    {
        final List<String> names = new LinkedList<>(List.of("a", "b"));
        final SerializableCallable<Integer> capturing = () -> names.size();
        assertEquals(OBJECT_TAG, tagOf(capturing));
        assertEquals(2, ((SerializableCallable<?>)roundTrip(trusting, capturing)).call());
    }

    @Test
    void shouldRefuseALambdaWhoseClassTheFilterRejects()
    {
        final PoolValueCodec guarded = new PoolValueCodec((info) -> info.serialClass() == PoolValueCodecTest.class ?
            ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED);
        final SerializableCallable<Integer> task = () -> 1;
        final int length = trusting.encode(task, buffer, 0);
        final IpcException refused = assertThrows(IpcException.class, () -> guarded.decode(buffer, 0, length));
        assertTrue(refused.getMessage().contains("is not allowed by the pool's filter"), refused.getMessage());
    }

    @Test
    void shouldRefuseALambdaItsClassCannotRebuild()
    {
        final SerializableCallable<Integer> task = () -> 1;
        final int length = trusting.encode(task, buffer, 0);
        final int implMethodName = lambdaNameOffset(5);
        buffer.putByte(implMethodName + 2, (byte)'X'); // a lambda the capturing class never had
        final IpcException refused = assertThrows(IpcException.class, () -> trusting.decode(buffer, 0, length));
        assertTrue(refused.getMessage().contains("cannot rebuild a lambda"), refused.getMessage());
    }

    @Test
    void shouldNameARecordOrLambdaClassThatIsNotOnTheClassPath()
    {
        final int recordLength = trusting.encode(new Inner(1.0, 'a'), buffer, 0);
        final int recordName = 1; // the record's name: its length (2 bytes), then the name
        renameLastByte(recordName);
        final IpcException record = assertThrows(IpcException.class, () -> trusting.decode(buffer, 0, recordLength));
        assertTrue(record.getMessage().contains("record class io.ipckit.pool.PoolValueCodecTest$InneZ of a pool " +
            "message is not on this JVM's class path"), record.getMessage());

        final SerializableCallable<Integer> task = () -> 1;
        final int lambdaLength = trusting.encode(task, buffer, 0);
        renameLastByte(lambdaNameOffset(0)); // the capturing class
        final IpcException lambda = assertThrows(IpcException.class, () -> trusting.decode(buffer, 0, lambdaLength));
        assertTrue(lambda.getMessage().contains("the lambda's class io.ipckit.pool.PoolValueCodecTesZ of a pool " +
            "message is not on this JVM's class path"), lambda.getMessage());
    }

    /** Writes 'Z' over the last byte of the name whose 2-byte length is at {@code lengthOffset}. */
    private void renameLastByte(final int lengthOffset)
    {
        final int nameLength = buffer.getShort(lengthOffset, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(lengthOffset + 2 + nameLength - 1, (byte)'Z');
    }

    private static final byte OBJECT_TAG = 7;
    private static final byte LAMBDA_TAG = 18;

    private byte tagOf(final Object value)
    {
        trusting.encode(value, buffer, 0);
        return buffer.getByte(0);
    }

    /**
     * @return where the {@code index}th name of the lambda encoded at 0 starts (its 2-byte length).
     */
    private int lambdaNameOffset(final int index)
    {
        int position = 1;
        for (int i = 0; i < index; i++)
        {
            position += 2 + buffer.getShort(position, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        return position;
    }

    private Object roundTrip(final PoolValueCodec codec, final Object value)
    {
        final int length = codec.encode(value, buffer, 0);
        return codec.decode(buffer, 0, length);
    }
}
