package io.ipckit.core.codec;

import io.ipckit.core.exceptions.IpcException;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecsTest
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4);

    private <T> T roundTrip(final Codec<T> codec, final T value)
    {
        final int length = codec.encode(value, buffer, 3);
        return codec.decode(buffer, 3, length);
    }

    @Test
    void shouldRoundTripEveryBuiltIn()
    {
        assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(Codecs.BYTES, new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[0], roundTrip(Codecs.BYTES, new byte[0]));
        final byte[] array = {4, 5};
        assertSame(array, Codecs.BYTES.encodedArray(array), "its own encoding");
        assertNull(Codecs.STRING.encodedArray("x"), "encoded");
        assertEquals("héllo wörld €", roundTrip(Codecs.STRING, "héllo wörld €"));
        assertEquals("", roundTrip(Codecs.STRING, ""));
        assertEquals(Long.MIN_VALUE, roundTrip(Codecs.LONG, Long.MIN_VALUE));
        assertEquals(-7, roundTrip(Codecs.INTEGER, -7));
        assertEquals((short)-2, roundTrip(Codecs.SHORT, (short)-2));
        assertEquals((byte)5, roundTrip(Codecs.BYTE, (byte)5));
        assertEquals(Math.PI, roundTrip(Codecs.DOUBLE, Math.PI));
        assertEquals(1.5f, roundTrip(Codecs.FLOAT, 1.5f));
        assertEquals('€', roundTrip(Codecs.CHARACTER, '€'));
        assertEquals(true, roundTrip(Codecs.BOOLEAN, true));
        assertEquals(new UnsafeBuffer(new byte[] {9, 8}), roundTrip(Codecs.DIRECT_BUFFER, new UnsafeBuffer(new byte[] {9, 8})));
        final ByteBuffer bb = ByteBuffer.wrap(new byte[] {0, 1, 2, 3}).position(1);
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), roundTrip(Codecs.BYTE_BUFFER, bb));
        assertEquals(1, bb.position(), "encoding does not move the source position");
        assertEquals(8, Codecs.LONG.maxEncodedLength());
        assertEquals(-1, Codecs.STRING.maxEncodedLength());
    }

    @Test
    void shouldEncodeLittleEndian()
    {
        Codecs.INTEGER.encode(0x01020304, buffer, 0);
        assertEquals(0x04, buffer.getByte(0));
    }

    @Test
    void shouldRefuseAWrongLength()
    {
        final IpcException ex = assertThrows(IpcException.class, () -> Codecs.LONG.decode(buffer, 0, 3));
        assertEquals("cannot decode a Long from 3 bytes: it takes 8; the sender used another codec, use the same codec " +
            "on both ends", ex.getMessage());
        buffer.putByte(0, (byte)7);
        assertThrows(IpcException.class, () -> Codecs.BOOLEAN.decode(buffer, 0, 1));
    }

    /**
     * A slice outside its buffer fails as one before anything is allocated. Before, a negative length threw
     * NegativeArraySizeException and a huge one ran out of heap.
     */
    @Test
    void shouldRefuseASliceOutsideItsBufferBeforeAllocating()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        for (final Codec<?> codec : List.of(Codecs.BYTES, Codecs.STRING, Codecs.DIRECT_BUFFER, Codecs.BYTE_BUFFER))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> codec.decode(buffer, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> codec.decode(buffer, 8, Integer.MAX_VALUE - 8));
            assertEquals(16, Codecs.BYTES.decode(buffer, 0, 16).length);
        }
    }

    @Test
    void shouldRoundTripJavaBaseObjectsThroughTheDefaultFilter()
    {
        final Codec<Object> codec = Codecs.serializable();
        final Map<String, List<Integer>> value = Map.of("a", List.of(1, 2), "b", new ArrayList<>());
        assertEquals(value, roundTrip(codec, value));
        assertEquals(LocalDate.of(2026, 11, 22), roundTrip(codec, LocalDate.of(2026, 11, 22)));
    }

    @Test
    void shouldRefuseClassesOutsideTheAllowList()
    {
        final Codec<Object> strict = Codecs.serializable();
        final int length = strict.encode(new java.awt.Point(1, 2), buffer, 0);
        final IpcException ex = assertThrows(IpcException.class, () -> strict.decode(buffer, 0, length));
        assertTrue(ex.getMessage().startsWith("refused to deserialize a message"), ex.getMessage());
        assertTrue(ex.getMessage().contains("Codecs.serializable(\"com.example.**\")"), ex.getMessage());

        final Codec<Object> allowing = Codecs.serializable("java.awt.Point");
        assertEquals(new java.awt.Point(1, 2), allowing.decode(buffer, 0, length));
        assertEquals(new java.awt.Point(3, 4), roundTrip(Codecs.forType(java.awt.Point.class), new java.awt.Point(3, 4)));
    }

    @Test
    void shouldExplainANonSerializableValue()
    {
        final IpcException ex = assertThrows(IpcException.class,
            () -> Codecs.serializable().encode(new Object(), buffer, 0));
        assertTrue(ex.getMessage().contains("is not Serializable"), ex.getMessage());
    }

    @Test
    void shouldRefuseGarbage()
    {
        buffer.putLong(0, 0x1234567890L);
        assertThrows(IpcException.class, () -> Codecs.serializable().decode(buffer, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> Codecs.serializable("!*"));
    }

    /**
     * forType admitted the type's whole package tree and returned whatever was decoded typed as the type: a class
     * of a subpackage ran its readObject and reached the caller as a "Point".
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldAdmitOnlyTheTypesOwnPackageAndCheckTheDecodedType()
    {
        final Codec<java.awt.Point> codec = Codecs.forType(java.awt.Point.class);
        final Codec<Object> sender = Codecs.serializable("java.awt.**");

        final int subpackage = sender.encode(new java.awt.geom.Point2D.Double(1, 2), buffer, 0);
        final IpcException refused = assertThrows(IpcException.class, () -> codec.decode(buffer, 0, subpackage));
        assertTrue(refused.getMessage().contains("java.awt.geom.Point2D$Double"), refused.getMessage());
        assertTrue(refused.getMessage().contains("is not allowed by the filter"), refused.getMessage());

        final int samePackage = sender.encode(new java.awt.Rectangle(1, 2, 3, 4), buffer, 0);
        final IpcException wrongType = assertThrows(IpcException.class, () -> codec.decode(buffer, 0, samePackage));
        assertEquals("decoded a java.awt.Rectangle from a message of " + samePackage + " bytes where " +
            "Codecs.forType(java.awt.Point) expects a java.awt.Point; the sender sent another type: use a codec for " +
            "what it sends, e.g. Codecs.serializable(\"java.awt.*\")", wrongType.getMessage());

        final int string = sender.encode("not a point", buffer, 0);
        final IpcException base = assertThrows(IpcException.class, () -> codec.decode(buffer, 0, string));
        assertTrue(base.getMessage().startsWith("decoded a java.lang.String"), base.getMessage());

        assertEquals(new java.awt.Point(5, 6), roundTrip(codec, new java.awt.Point(5, 6)));
    }

    @Test
    void shouldPickCodecsByType()
    {
        assertEquals(Codecs.STRING, Codecs.forType(String.class));
        assertEquals(Codecs.BYTES, Codecs.forType(byte[].class));
        assertEquals(Codecs.LONG, Codecs.forType(Long.class));
    }
}
