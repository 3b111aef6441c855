package io.ipckit.pool;

import io.ipckit.core.exceptions.IpcException;

import java.io.ObjectInputFilter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the classes a pool message names for {@link PoolValueCodec}: a record's class and a lambda's capturing class.
 * Each is loaded without being initialised (through the thread's context class loader, else this module's), shown
 * to the pool's {@link ObjectInputFilter} as deserialization would show it, and only then prepared: a record's
 * {@link RecordShape}, a lambda's {@code $deserializeLambda$}. Both are kept by name, so each class is looked up once.
 * <p>
 * Thread-safe.
 */
final class PoolClassResolver
{
    private final ObjectInputFilter filter;
    private final ConcurrentHashMap<String, RecordShape> recordShapes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LambdaReader> lambdaReaders = new ConcurrentHashMap<>();

    /**
     * @param filter the pool's filter, or null to admit any class on the class path.
     */
    PoolClassResolver(final ObjectInputFilter filter)
    {
        this.filter = filter;
    }

    /**
     * @param name a record class's binary name.
     * @return its shape.
     * @throws IpcException when the class is not on the class path, the filter refuses it, or it is not a
     *                      serializable record here.
     */
    RecordShape recordShape(final String name)
    {
        final RecordShape known = recordShapes.get(name);
        if (known != null)
        {
            return known;
        }
        final RecordShape shape = RecordShape.of(load(name, "record class " + name));
        if (shape == null)
        {
            throw new IpcException("class " + name + " of a pool message is not a serializable record here: the pool " +
                "and its workers run different versions of it");
        }
        recordShapes.put(name, shape);
        return shape;
    }

    /**
     * @param internalName a lambda's capturing class, in internal form ({@code a/b/C}).
     * @return the class and its {@code $deserializeLambda$}.
     * @throws IpcException when the class is not on the class path, the filter refuses it, or it cannot rebuild
     *                      lambdas.
     */
    LambdaReader lambdaReader(final String internalName)
    {
        final LambdaReader known = lambdaReaders.get(internalName);
        if (known != null)
        {
            return known;
        }
        final String name = internalName.replace('/', '.');
        final Class<?> type = load(name, "the lambda's class " + name);
        try
        {
            // a handle, not Method.invoke: its (SerializedLambda)Object shape comes ready from the JDK's archive
            final LambdaReader reader = new LambdaReader(type, MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                .findStatic(type, "$deserializeLambda$", MethodType.methodType(Object.class, SerializedLambda.class)));
            lambdaReaders.put(internalName, reader);
            return reader;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IpcException("class " + name + " cannot rebuild the lambda of a pool message: " + ex, ex);
        }
    }

    /**
     * Loads a class without initialising it and shows it to the filter.
     *
     * @param what the class as the messages name it ("record class a.B").
     */
    private Class<?> load(final String name, final String what)
    {
        final Class<?> type;
        try
        {
            final ClassLoader context = Thread.currentThread().getContextClassLoader();
            type = Class.forName(name, false, context != null ? context : PoolClassResolver.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IpcException(what + " of a pool message is not on this JVM's class path", ex);
        }
        if (filter != null && filter.checkInput(new ClassFilterInfo(type)) == ObjectInputFilter.Status.REJECTED)
        {
            throw new IpcException(what + " is not allowed by the pool's filter " + filter +
                "; allow its package with new PoolOptions().allowClasses(\"com.example.**\")");
        }
        return type;
    }

    /**
     * A capturing class and its {@code $deserializeLambda$}.
     *
     * @param capturing the class.
     * @param handle    its {@code $deserializeLambda$}, typed {@code (SerializedLambda)Object}.
     */
    record LambdaReader(Class<?> capturing, MethodHandle handle)
    {
    }

    /**
     * What the filter sees of a class before it is used: the class, at depth 1.
     */
    private record ClassFilterInfo(Class<?> serialClass) implements ObjectInputFilter.FilterInfo
    {
        public long arrayLength()
        {
            return -1;
        }

        public long depth()
        {
            return 1;
        }

        public long references()
        {
            return 1;
        }

        public long streamBytes()
        {
            return 0;
        }
    }
}
