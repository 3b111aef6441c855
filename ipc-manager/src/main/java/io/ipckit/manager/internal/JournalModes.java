package io.ipckit.manager.internal;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Which calls a durable manager journals, and how ({@link Mode}): {@code create} and {@code bind}; every method
 * that returns a new managed object; the methods of built-in types with durable state except the read-only ones
 * ({@link #READ_ONLY}); every method of a registered type; nothing of the volatile types ({@link #VOLATILE}) and
 * nothing at all of pools ({@link #NOT_JOURNALED}). Blocking methods of queues and semaphores run as their
 * non-blocking forms ({@link #TRY_FORMS}). Stateless.
 */
final class JournalModes
{
    /** Built-in type ids whose state a restart does not keep. */
    static final Set<String> VOLATILE = Set.of(Builtins.LOCK, Builtins.RLOCK, Builtins.CONDITION,
        Builtins.LOCK_CONDITION, Builtins.BARRIER, Builtins.POOL, Builtins.POOL_FUTURE);
    /**
     * Types none of whose calls is journaled, not even those returning new objects: a pool's tasks must not run
     * again at replay. What their methods return is registered with a transient id, outside the ids replay gives
     * out again.
     */
    static final Set<String> NOT_JOURNALED = Set.of(Builtins.POOL, Builtins.POOL_FUTURE);
    /** Methods of the built-in types that change nothing. */
    static final Set<String> READ_ONLY = Set.of("get", "containsKey", "containsValue", "size", "isEmpty", "keySet",
        "values", "entrySet", "getOrDefault", "equals", "hashCode", "toString", "contains", "containsAll",
        "iterator", "listIterator", "toArray", "indexOf", "lastIndexOf", "subList", "peek", "element",
        "remainingCapacity", "length", "toList", "asMap", "isSet", "await", "availablePermits", "join",
        "mappingCount", "keys", "elements", "spliterator", "stream", "parallelStream", "forEach");
    private static final Set<String> BUILTIN = Set.of(Builtins.DICT, Builtins.LIST, Builtins.SET,
        Builtins.NAMESPACE, Builtins.VALUE, Builtins.ARRAY, Builtins.SEMAPHORE, Builtins.BOUNDED_SEMAPHORE,
        Builtins.EVENT, Builtins.QUEUE, Builtins.JOINABLE_QUEUE);
    private static final String TIMEOUT = "long,java.util.concurrent.TimeUnit";
    /** Blocking methods by signature, and the non-blocking form each runs as. */
    static final Map<String, TryForm> TRY_FORMS = Map.of(
        "take()", new TryForm("poll()", false, false),
        "poll(" + TIMEOUT + ")", new TryForm("poll()", false, true),
        "put(java.lang.Object)", new TryForm("offer(java.lang.Object)", true, false),
        "offer(java.lang.Object," + TIMEOUT + ")", new TryForm("offer(java.lang.Object)", true, true),
        "acquire()", new TryForm("tryAcquire(" + TIMEOUT + ")", false, false),
        "tryAcquire(" + TIMEOUT + ")", new TryForm("tryAcquire(" + TIMEOUT + ")", false, true));
    /**
     * How a call is journaled: not at all (null), {@code UNDER} the lock (append, then apply), {@code TRY} (its
     * non-blocking form, retried under the lock), or {@code AFTER} it returns.
     */
    enum Mode
    {
        UNDER, TRY, AFTER
    }

    /**
     * A blocking method's non-blocking form.
     *
     * @param signature the form's signature.
     * @param keepsFirstArg whether the form takes the blocking method's first argument (the element).
     * @param timed     whether the blocking method has a timeout (then it gives up and answers null or false).
     */
    record TryForm(String signature, boolean keepsFirstArg, boolean timed)
    {
    }

    /**
     * A blocking method's try-form arguments.
     *
     * @param form the form.
     * @param args the blocking method's arguments.
     * @return the form's arguments.
     */
    static Object[] tryArgs(final TryForm form, final Object[] args)
    {
        if (form.signature().startsWith("tryAcquire"))
        {
            return new Object[] {0L, TimeUnit.NANOSECONDS};
        }
        return form.keepsFirstArg() ? new Object[] {args[0]} : new Object[0];
    }

    /**
     * @param managed   the object called, or null for the manager.
     * @param method    the method, or null for the manager.
     * @param signature its signature.
     * @return how the call is journaled, or null when it is not.
     */
    static Mode mode(final ObjectTable.Managed managed, final Method method, final String signature)
    {
        if (managed == null)
        {
            return signature.equals("create") || signature.equals("bind") ? Mode.UNDER : null;
        }
        if (method.getDeclaringClass() == Object.class)
        {
            return null;
        }
        final String typeid = managed.entry.typeid();
        if (NOT_JOURNALED.contains(typeid))
        {
            return null;
        }
        final boolean blocking = Signatures.blocking(method);
        if (managed.entry.methodToTypeid().containsKey(method.getName()))
        {
            return blocking ? Mode.AFTER : Mode.UNDER;
        }
        if (VOLATILE.contains(typeid) || (BUILTIN.contains(typeid) && READ_ONLY.contains(method.getName())))
        {
            return null;
        }
        if (blocking)
        {
            final TryForm form = TRY_FORMS.get(signature);
            return form != null && Signatures.find(managed.entry.type(), form.signature()) != null ? Mode.TRY :
                Mode.AFTER;
        }
        return Mode.UNDER;
    }

    private JournalModes()
    {
    }
}
