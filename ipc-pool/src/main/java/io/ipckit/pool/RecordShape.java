package io.ipckit.pool;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;

/**
 * A serializable record class as {@link PoolValueCodec} writes and rebuilds it: its name in UTF-8, its components'
 * accessors, and its canonical constructor (through which a record is rebuilt, as deserialization of a record does).
 * <p>
 * Thread-safe: immutable, and {@link #of} caches one per class.
 */
final class RecordShape
{
    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>()
    {
        protected RecordShape computeValue(final Class<?> type)
        {
            return shapeOf(type);
        }
    };

    /** The class's binary name in UTF-8, at most {@link Short#MAX_VALUE} bytes. */
    final byte[] name;
    private final Method[] accessors;
    private final Constructor<?> constructor;

    private RecordShape(final byte[] name, final Method[] accessors, final Constructor<?> constructor)
    {
        this.name = name;
        this.accessors = accessors;
        this.constructor = constructor;
    }

    /**
     * @param type a class.
     * @return its shape, computed once per class; null when it is not a serializable record, or one this module
     * cannot reach (a module that does not open it: serialization then decides), or its name is too long.
     */
    static RecordShape of(final Class<?> type)
    {
        return SHAPES.get(type);
    }

    private static RecordShape shapeOf(final Class<?> type)
    {
        if (!type.isRecord() || !Serializable.class.isAssignableFrom(type))
        {
            return null;
        }
        try
        {
            final RecordComponent[] components = type.getRecordComponents();
            final Method[] accessors = new Method[components.length];
            final Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++)
            {
                accessors[i] = components[i].getAccessor();
                accessors[i].setAccessible(true);
                types[i] = components[i].getType();
            }
            final Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            final byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
            return name.length <= Short.MAX_VALUE ? new RecordShape(name, accessors, constructor) : null;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null; // not reachable here (a module that does not open it): serialization decides
        }
    }

    /**
     * @param record an instance of this shape's class.
     * @return its component values, in declaration order.
     * @throws ReflectiveOperationException when an accessor fails (it threw, or cannot be called).
     */
    Object[] components(final Object record) throws ReflectiveOperationException
    {
        final Object[] values = new Object[accessors.length];
        for (int i = 0; i < accessors.length; i++)
        {
            values[i] = accessors[i].invoke(record);
        }
        return values;
    }

    /**
     * @param components the component values, in declaration order.
     * @return a new record built by the canonical constructor.
     * @throws ReflectiveOperationException  when the constructor fails ({@link java.lang.reflect.InvocationTargetException}
     *                                       when it threw).
     * @throws IllegalArgumentException when the count or a value's type does not match.
     */
    Object construct(final Object[] components) throws ReflectiveOperationException
    {
        if (components.length != accessors.length)
        {
            throw new IllegalArgumentException(components.length + " components sent, " + accessors.length +
                " expected");
        }
        return constructor.newInstance(components);
    }
}
