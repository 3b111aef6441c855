package io.ipckit.shm.array;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The element types of shared arrays and values, with numpy's names and sizes. Elements are stored little-endian
 * (the byte order of every platform ipckit runs on, checked when this class loads), so numpy reads them with the
 * {@link #numpyTypestr()} of the dtype.
 * <p>
 * Besides naming a type, each constant reads and writes one element at a byte offset of a {@link MemorySegment}:
 * plain accessors ({@link #getLong}, {@link #getDouble}, {@link #setLong}, {@link #setDouble}), volatile ones for
 * shared values, and atomic {@link #getAndAdd} and {@link #compareAndSet} for {@link #INT32} and {@link #INT64}.
 * The accessors allocate nothing. Codes are part of the file format: never renumber them.
 */
public enum DType
{
    /** numpy {@code bool}: one byte, 0 or 1. */
    BOOL(1, "|b1", 1),
    /** numpy {@code int8}. */
    INT8(2, "|i1", 1),
    /** numpy {@code uint8}. */
    UINT8(3, "|u1", 1),
    /** numpy {@code int16}. */
    INT16(4, "<i2", 2),
    /** numpy {@code int32}. */
    INT32(5, "<i4", 4),
    /** numpy {@code int64}. */
    INT64(6, "<i8", 8),
    /** numpy {@code float32}. */
    FLOAT32(7, "<f4", 4),
    /** numpy {@code float64}. */
    FLOAT64(8, "<f8", 8);

    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private static final VarHandle I8_HANDLE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle I16_HANDLE = ValueLayout.JAVA_SHORT.varHandle();
    private static final VarHandle I32_HANDLE = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle I64_HANDLE = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle F32_HANDLE = ValueLayout.JAVA_FLOAT.varHandle();
    private static final VarHandle F64_HANDLE = ValueLayout.JAVA_DOUBLE.varHandle();

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new ExceptionInInitializerError("ipckit shared arrays are little-endian and this platform is " +
                ByteOrder.nativeOrder() + ": run on x86-64 or aarch64");
        }
    }

    private final int code;
    private final String numpyTypestr;
    private final int itemSize;

    DType(final int code, final String numpyTypestr, final int itemSize)
    {
        this.code = code;
        this.numpyTypestr = numpyTypestr;
        this.itemSize = itemSize;
    }

    /**
     * @return the code stored in array and value headers.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return numpy's array-interface type string, e.g. {@code <f8}; {@code numpy.dtype(typestr)} is this dtype.
     */
    public String numpyTypestr()
    {
        return numpyTypestr;
    }

    /**
     * @return the size of one element in bytes.
     */
    public int itemSize()
    {
        return itemSize;
    }

    /**
     * @return true for the floating-point dtypes.
     */
    public boolean isFloatingPoint()
    {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * @return true for {@link #INT32} and {@link #INT64}, the dtypes with atomic add and compare-and-set.
     */
    public boolean isAtomic()
    {
        return this == INT32 || this == INT64;
    }

    /**
     * @return numpy's name, e.g. {@code float64}.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param code a code read from a header.
     * @return the dtype, or null when the code is unknown.
     */
    public static DType fromCode(final int code)
    {
        for (final DType type : values())
        {
            if (type.code == code)
            {
                return type;
            }
        }
        return null;
    }

    /**
     * Reads an element of a bool or integer dtype.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset.
     * @return the element's value (0 or 1 for bool, 0..255 for uint8).
     * @throws UnsupportedOperationException for floating-point dtypes: use {@link #getDouble}.
     */
    public long getLong(final MemorySegment segment, final long offsetBytes)
    {
        return switch (this)
        {
            case BOOL, UINT8 -> segment.get(I8, offsetBytes) & 0xFFL;
            case INT8 -> segment.get(I8, offsetBytes);
            case INT16 -> segment.get(I16, offsetBytes);
            case INT32 -> segment.get(I32, offsetBytes);
            case INT64 -> segment.get(I64, offsetBytes);
            case FLOAT32, FLOAT64 -> throw notInteger("read as long");
        };
    }

    /**
     * Reads an element of any dtype as a double (exact for every value but int64 beyond 2^53).
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset.
     * @return the element's value.
     */
    public double getDouble(final MemorySegment segment, final long offsetBytes)
    {
        return switch (this)
        {
            case FLOAT64 -> segment.get(F64, offsetBytes);
            case FLOAT32 -> segment.get(F32, offsetBytes);
            default -> getLong(segment, offsetBytes);
        };
    }

    /**
     * Writes an element; floating-point dtypes take the nearest representable value.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset.
     * @param value       the value.
     * @throws IllegalArgumentException when the value is outside the range of an integer or bool dtype.
     */
    public void setLong(final MemorySegment segment, final long offsetBytes, final long value)
    {
        switch (this)
        {
            case BOOL -> segment.set(I8, offsetBytes, (byte)checkRange(value, 0, 1));
            case INT8 -> segment.set(I8, offsetBytes, (byte)checkRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> segment.set(I8, offsetBytes, (byte)checkRange(value, 0, 255));
            case INT16 -> segment.set(I16, offsetBytes, (short)checkRange(value, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> segment.set(I32, offsetBytes, (int)checkRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> segment.set(I64, offsetBytes, value);
            case FLOAT32 -> segment.set(F32, offsetBytes, (float)value);
            case FLOAT64 -> segment.set(F64, offsetBytes, (double)value);
        }
    }

    /**
     * Writes an element; integer and bool dtypes accept only whole numbers within their range.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset.
     * @param value       the value.
     * @throws IllegalArgumentException when an integer or bool dtype cannot hold the value exactly.
     */
    public void setDouble(final MemorySegment segment, final long offsetBytes, final double value)
    {
        switch (this)
        {
            case FLOAT64 -> segment.set(F64, offsetBytes, value);
            case FLOAT32 -> segment.set(F32, offsetBytes, (float)value);
            default -> setLong(segment, offsetBytes, wholeNumber(value));
        }
    }

    /**
     * Reads an element of a bool or integer dtype with volatile semantics (the element must be aligned).
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @return the element's value.
     * @throws UnsupportedOperationException for floating-point dtypes.
     */
    public long getLongVolatile(final MemorySegment segment, final long offsetBytes)
    {
        return switch (this)
        {
            case BOOL, UINT8 -> (byte)I8_HANDLE.getVolatile(segment, offsetBytes) & 0xFFL;
            case INT8 -> (byte)I8_HANDLE.getVolatile(segment, offsetBytes);
            case INT16 -> (short)I16_HANDLE.getVolatile(segment, offsetBytes);
            case INT32 -> (int)I32_HANDLE.getVolatile(segment, offsetBytes);
            case INT64 -> (long)I64_HANDLE.getVolatile(segment, offsetBytes);
            case FLOAT32, FLOAT64 -> throw notInteger("read as long");
        };
    }

    /**
     * Reads an element of any dtype as a double with volatile semantics (the element must be aligned).
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @return the element's value.
     */
    public double getDoubleVolatile(final MemorySegment segment, final long offsetBytes)
    {
        return switch (this)
        {
            case FLOAT64 -> (double)F64_HANDLE.getVolatile(segment, offsetBytes);
            case FLOAT32 -> (float)F32_HANDLE.getVolatile(segment, offsetBytes);
            default -> getLongVolatile(segment, offsetBytes);
        };
    }

    /**
     * Writes an element with volatile semantics, with the range rules of {@link #setLong}.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @param value       the value.
     * @throws IllegalArgumentException when the dtype cannot hold the value.
     */
    public void setLongVolatile(final MemorySegment segment, final long offsetBytes, final long value)
    {
        switch (this)
        {
            case BOOL -> I8_HANDLE.setVolatile(segment, offsetBytes, (byte)checkRange(value, 0, 1));
            case INT8 -> I8_HANDLE.setVolatile(segment, offsetBytes, (byte)checkRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> I8_HANDLE.setVolatile(segment, offsetBytes, (byte)checkRange(value, 0, 255));
            case INT16 -> I16_HANDLE.setVolatile(
                segment, offsetBytes, (short)checkRange(value, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> I32_HANDLE.setVolatile(
                segment, offsetBytes, (int)checkRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> I64_HANDLE.setVolatile(segment, offsetBytes, value);
            case FLOAT32 -> F32_HANDLE.setVolatile(segment, offsetBytes, (float)value);
            case FLOAT64 -> F64_HANDLE.setVolatile(segment, offsetBytes, (double)value);
        }
    }

    /**
     * Writes an element with volatile semantics, with the rules of {@link #setDouble}.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @param value       the value.
     * @throws IllegalArgumentException when an integer or bool dtype cannot hold the value exactly.
     */
    public void setDoubleVolatile(final MemorySegment segment, final long offsetBytes, final double value)
    {
        switch (this)
        {
            case FLOAT64 -> F64_HANDLE.setVolatile(segment, offsetBytes, value);
            case FLOAT32 -> F32_HANDLE.setVolatile(segment, offsetBytes, (float)value);
            default -> setLongVolatile(segment, offsetBytes, wholeNumber(value));
        }
    }

    /**
     * The whole number an integer or bool element stores for {@code value}, by the rules of {@link #setDouble}.
     *
     * @param value the value.
     * @return it as a long.
     * @throws IllegalArgumentException when it is not a whole number a long holds.
     */
    public long wholeNumber(final double value)
    {
        final long whole = (long)value;
        if (whole != value || whole == Long.MAX_VALUE)
        {
            throw new IllegalArgumentException(value + " is not a whole number that " + this + " can hold");
        }
        return whole;
    }

    /**
     * Atomically adds to an {@link #INT32} or {@link #INT64} element (int32 wraps around on overflow, as in C).
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @param delta       the amount to add; for int32 it must fit in an int.
     * @return the previous value.
     * @throws UnsupportedOperationException for other dtypes.
     * @throws IllegalArgumentException when an int32 delta does not fit in an int.
     */
    public long getAndAdd(final MemorySegment segment, final long offsetBytes, final long delta)
    {
        return switch (this)
        {
            case INT32 -> (int)I32_HANDLE.getAndAdd(
                segment, offsetBytes, (int)checkRange(delta, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> (long)I64_HANDLE.getAndAdd(segment, offsetBytes, delta);
            default -> throw notAtomic("getAndAdd");
        };
    }

    /**
     * Atomically sets an {@link #INT32} or {@link #INT64} element to {@code update} if it holds {@code expected}.
     *
     * @param segment     the memory.
     * @param offsetBytes the element's offset, a multiple of {@link #itemSize()}.
     * @param expected    the value expected.
     * @param update      the new value; for int32 it must fit in an int.
     * @return true when the element held {@code expected} and now holds {@code update}.
     * @throws UnsupportedOperationException for other dtypes.
     * @throws IllegalArgumentException when an int32 update does not fit in an int.
     */
    public boolean compareAndSet(final MemorySegment segment, final long offsetBytes, final long expected, final long update)
    {
        return switch (this)
        {
            // read first: on a page lost to truncation a read faults safely, an interpreted CAS kills the JVM
            case INT32 -> expected == (int)expected && compareAndSetInt(
                segment, offsetBytes, (int)expected, (int)checkRange(update, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> (long)I64_HANDLE.getVolatile(segment, offsetBytes) == expected &&
                I64_HANDLE.compareAndSet(segment, offsetBytes, expected, update);
            default -> throw notAtomic("compareAndSet");
        };
    }

    private static boolean compareAndSetInt(
        final MemorySegment segment, final long offsetBytes, final int expected, final int update)
    {
        return (int)I32_HANDLE.getVolatile(segment, offsetBytes) == expected &&
            I32_HANDLE.compareAndSet(segment, offsetBytes, expected, update);
    }

    private long checkRange(final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(value + " is out of range for " + this + " [" + min + ", " + max + "]");
        }
        return value;
    }

    private UnsupportedOperationException notInteger(final String operation)
    {
        return new UnsupportedOperationException("a " + this + " element cannot be " + operation +
            ": use the double accessors for floating-point dtypes");
    }

    private UnsupportedOperationException notAtomic(final String operation)
    {
        return new UnsupportedOperationException(operation + " is atomic on int32 and int64 elements only, not " +
            this + ": use an int32/int64 dtype, or guard the update with a lock");
    }
}
