package io.ipckit.manager.internal;

import io.ipckit.core.exceptions.IpcException;

import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;

/**
 * Turns calls on a proxy into calls to the managed object. Equality and hash code are those of the managed
 * object's identity (manager and id); {@code toString} asks the manager. Default methods that only read through
 * other methods ({@code forEach}, {@code stream}, {@code spliterator}, {@code getOrDefault}) and
 * {@link ConcurrentMap}'s atomic defaults ({@code compute}, {@code merge}, ..., compare-and-set loops over
 * {@code putIfAbsent}/{@code replace}) run here on top of remote calls; every other method runs in the manager.
 * Iterators and collection views come back as copies taken atomically in the manager (Python's proxies do the
 * same), so removing through them does not write through. {@link BlockingQueue#drainTo} brings the drained elements
 * back and adds them to the caller's collection. Thread-safe.
 */
final class ProxyHandler implements InvocationHandler, java.io.Serializable
{
    private static final long serialVersionUID = 1L;

    private static final Cleaner CLEANER = Cleaner.create();

    private final transient ClientConnection connection;
    private final transient ProxyRef ref;
    private final transient Class<?> type;

    ProxyHandler(final ClientConnection connection, final ProxyRef ref, final Class<?> type)
    {
        this.connection = connection;
        this.ref = ref;
        this.type = type;
    }

    /**
     * Makes a proxy of a reference a connection received; when the proxy is collected, the connection returns the
     * reference to the manager ({@link ClientConnection#decref}).
     *
     * @param connection the connection.
     * @param ref        the reference.
     * @return the proxy, implementing the ref's interface.
     * @throws IpcException when the interface is not on this class path.
     */
    static Object newProxy(final ClientConnection connection, final ProxyRef ref)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(ref.interfaceName(), false, Thread.currentThread().getContextClassLoader() != null ?
                Thread.currentThread().getContextClassLoader() : ProxyHandler.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IpcException("interface " + ref.interfaceName() + " of managed type " + ref.typeid() +
                " is not on this process's class path", ex);
        }
        final ProxyHandler handler = new ProxyHandler(connection, ref, type);
        final Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        final long objectId = ref.objectId();
        CLEANER.register(handler, () -> connection.decref(objectId)); // the action must not hold the handler
        return proxy;
    }

    /**
     * What an argument becomes on the wire: a proxy its ref, anything else itself.
     *
     * @param obj the argument.
     * @return what to write.
     */
    static Object replace(final Object obj)
    {
        if (obj instanceof Proxy && Proxy.getInvocationHandler(obj) instanceof ProxyHandler handler)
        {
            return handler.ref();
        }
        return obj;
    }

    ProxyRef ref()
    {
        return ref;
    }

    /**
     * A proxy serialized outside the manager protocol (captured by a lambda sent to another JVM) is written as its
     * ref and the manager's local address; the other JVM connects to the manager and takes a reference of its own.
     *
     * @return the serialized form.
     */
    private Object writeReplace()
    {
        return connection.serialized(ref);
    }

    @Override
    public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        final Class<?> declaring = method.getDeclaringClass();
        if (declaring == Object.class)
        {
            return switch (method.getName())
            {
                case "equals" -> args[0] instanceof Proxy other && Proxy.isProxyClass(other.getClass()) &&
                    Proxy.getInvocationHandler(other) instanceof ProxyHandler h && h.ref.equals(ref);
                case "hashCode" -> ref.hashCode();
                default -> connection.call(ref.objectId(), "toString()", null);
            };
        }
        if (method.isDefault() && runsHere(method, declaring))
        {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        if (method.getName().equals("drainTo") && BlockingQueue.class.isAssignableFrom(declaring))
        {
            return drainTo(proxy, method, args);
        }
        final Object result = connection.call(ref.objectId(), Signatures.exposed(method), args);
        return adapt(method, args, result);
    }

    /**
     * {@link BlockingQueue#drainTo}: the manager removes the elements and sends them back, and they are added here to
     * the caller's collection (sent as it is, it would be filled in the manager, a copy). A collection of the same
     * manager is filled in the manager, in the same call; one of another manager through its proxy, after it.
     *
     * @throws NullPointerException     when the collection is null.
     * @throws IllegalArgumentException when it is this queue.
     */
    private Object drainTo(final Object proxy, final Method method, final Object[] args) throws Throwable
    {
        final Object sink = args[0];
        if (sink == null)
        {
            throw new NullPointerException("drainTo of managed queue " + ref.objectId() + ": the collection is null");
        }
        if (sink == proxy)
        {
            throw new IllegalArgumentException("drainTo of managed queue " + ref.objectId() +
                ": a queue cannot be drained into itself");
        }
        final ProxyRef sinkRef = ClientConnection.refOf(sink);
        if (sinkRef != null && sinkRef.managerId().equals(ref.managerId()))
        {
            return connection.call(ref.objectId(), Signatures.exposed(method), args);
        }
        final Object[] sent = args.clone();
        sent[0] = new java.util.ArrayList<>(0);
        final List<?> drained = (List<?>)connection.call(ref.objectId(), Signatures.exposed(method), sent);
        @SuppressWarnings("unchecked")
        final Collection<Object> into = (Collection<Object>)sink;
        into.addAll(drained);
        return drained.size();
    }

    private static boolean runsHere(final Method method, final Class<?> declaring)
    {
        final String name = method.getName();
        return declaring == Iterable.class || declaring == ConcurrentMap.class ||
            name.equals("stream") || name.equals("parallelStream") || name.equals("spliterator") ||
            (name.equals("toArray") && declaring == Collection.class) ||
            (declaring == Map.class && (name.equals("forEach") || name.equals("getOrDefault")));
    }

    private static Object adapt(final Method method, final Object[] args, final Object result)
    {
        final Class<?> returns = method.getReturnType();
        if (result instanceof List<?> list)
        {
            if (returns == ListIterator.class)
            {
                final int index = method.getParameterCount() == 1 ? (Integer)args[0] : 0;
                return list.listIterator(index);
            }
            if (returns == Iterator.class)
            {
                return list.iterator();
            }
        }
        if (result instanceof Set<?> set && returns == Iterator.class)
        {
            return set.iterator();
        }
        return result;
    }

    @Override
    public String toString()
    {
        return "ProxyHandler{" + ref + "}";
    }
}
