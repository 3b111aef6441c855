package io.ipckit.shm.list;

/**
 * What a {@link ShareableList} slot holds now. Codes are part of the file format: never renumber them.
 */
public enum ItemType
{
    /** {@code null}, Python's {@code None}. */
    NONE(0),
    /** A 64-bit integer ({@link Long}; Byte, Short and Integer are stored as this), Python's {@code int}. */
    LONG(1),
    /** A 64-bit float ({@link Double}; Float is stored as this), Python's {@code float}. */
    DOUBLE(2),
    /** A {@link Boolean}, Python's {@code bool}. */
    BOOLEAN(3),
    /** A {@link String} stored as UTF-8 with its byte length, Python's {@code str}. */
    STRING(4),
    /** A {@code byte[]} with its length, Python's {@code bytes}. */
    BYTES(5);

    private static final ItemType[] BY_CODE = values();

    private final int code;

    ItemType(final int code)
    {
        this.code = code;
    }

    /**
     * @return the code stored in the slot.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a code read from a slot.
     * @return the type, or null when the code is unknown.
     */
    public static ItemType fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * @param value a Java value.
     * @return the type that stores it.
     * @throws IllegalArgumentException when no slot type can hold values of its class.
     */
    public static ItemType of(final Object value)
    {
        if (value == null)
        {
            return NONE;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return LONG;
        }
        if (value instanceof Double || value instanceof Float)
        {
            return DOUBLE;
        }
        if (value instanceof Boolean)
        {
            return BOOLEAN;
        }
        if (value instanceof String)
        {
            return STRING;
        }
        if (value instanceof byte[])
        {
            return BYTES;
        }
        throw new IllegalArgumentException("a ShareableList holds null, integers, floating-point numbers, " +
            "booleans, Strings and byte[] (as Python's: None, int, float, bool, str, bytes), not " +
            value.getClass().getName());
    }
}
