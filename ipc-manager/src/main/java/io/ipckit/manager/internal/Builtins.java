package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedArray;
import io.ipckit.manager.ManagedBarrier;
import io.ipckit.manager.ManagedCondition;
import io.ipckit.manager.ManagedEvent;
import io.ipckit.manager.ManagedFactory;
import io.ipckit.manager.ManagedJoinableQueue;
import io.ipckit.manager.ManagedSemaphore;
import io.ipckit.manager.ManagedValue;
import io.ipckit.manager.ManagerRegistry;
import io.ipckit.manager.Namespace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The built-in types, Python's {@code SyncManager} set, by type id: {@code dict}, {@code list}, {@code set},
 * {@code namespace}, {@code value}, {@code array}, {@code lock}, {@code rlock}, {@code semaphore},
 * {@code boundedSemaphore}, {@code condition}, {@code event}, {@code barrier}, {@code queue},
 * {@code joinableQueue}, {@code pool}; {@code lockCondition} is what {@code Lock.newCondition()} returns and
 * {@code poolFuture} what {@code pool.submit} returns.
 */
public final class Builtins
{
    /** Type id of a managed map. */
    public static final String DICT = "dict";
    /** Type id of a managed list. */
    public static final String LIST = "list";
    /** Type id of a managed set. */
    public static final String SET = "set";
    /** Type id of a namespace. */
    public static final String NAMESPACE = "namespace";
    /** Type id of a value. */
    public static final String VALUE = "value";
    /** Type id of an array. */
    public static final String ARRAY = "array";
    /** Type id of a lock. */
    public static final String LOCK = "lock";
    /** Type id of a reentrant lock. */
    public static final String RLOCK = "rlock";
    /** Type id of a semaphore. */
    public static final String SEMAPHORE = "semaphore";
    /** Type id of a bounded semaphore. */
    public static final String BOUNDED_SEMAPHORE = "boundedSemaphore";
    /** Type id of a condition with its own lock. */
    public static final String CONDITION = "condition";
    /** Type id of a condition of a lock. */
    public static final String LOCK_CONDITION = "lockCondition";
    /** Type id of an event. */
    public static final String EVENT = "event";
    /** Type id of a barrier. */
    public static final String BARRIER = "barrier";
    /** Type id of a queue. */
    public static final String QUEUE = "queue";
    /** Type id of a joinable queue. */
    public static final String JOINABLE_QUEUE = "joinableQueue";
    /** Type id of a process pool. */
    public static final String POOL = "pool";
    /** Type id of a pool task's future. */
    public static final String POOL_FUTURE = "poolFuture";

    private Builtins()
    {
    }

    /**
     * Registers every built-in type.
     *
     * @param registry where.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void registerAll(final ManagerRegistry registry)
    {
        final Map<String, String> conditionOfLock = Map.of("newCondition", LOCK_CONDITION);
        registry.register(DICT, ConcurrentMap.class, (ManagedFactory<ConcurrentMap>)(args) ->
            args.length > 0 && args[0] != null ? new ConcurrentHashMap<>((Map<?, ?>)args[0]) : new ConcurrentHashMap<>());
        registry.register(LIST, List.class, (ManagedFactory<List>)(args) -> Collections.synchronizedList(
            args.length > 0 && args[0] != null ? new ArrayList<>((Collection<?>)args[0]) : new ArrayList<>()));
        registry.register(SET, Set.class, (ManagedFactory<Set>)(args) ->
        {
            final Set<Object> set = ConcurrentHashMap.newKeySet();
            if (args.length > 0 && args[0] != null)
            {
                set.addAll((Collection<?>)args[0]);
            }
            return set;
        });
        registry.register(NAMESPACE, Namespace.class, (args) -> new ServerNamespace());
        registry.register(VALUE, ManagedValue.class, (ManagedFactory<ManagedValue>)(args) -> new ServerValue<>(args[0]));
        registry.register(ARRAY, ManagedArray.class, (ManagedFactory<ManagedArray>)(args) ->
            new ServerArray<>(((Object[])args[0]).clone()));
        registry.register(LOCK, Lock.class, (args) -> new ServerLock(false), conditionOfLock);
        registry.register(RLOCK, Lock.class, (args) -> new ServerLock(true), conditionOfLock);
        registry.register(SEMAPHORE, ManagedSemaphore.class,
            (args) -> new ServerSemaphore(permits("semaphore", (Integer)args[0]), false));
        registry.register(BOUNDED_SEMAPHORE, ManagedSemaphore.class,
            (args) -> new ServerSemaphore(permits("boundedSemaphore", (Integer)args[0]), true));
        registry.register(CONDITION, ManagedCondition.class, (args) -> new ServerCondition(), conditionOfLock);
        registry.register(LOCK_CONDITION, Condition.class, null);
        registry.register(EVENT, ManagedEvent.class, (args) -> new ServerEvent());
        registry.register(BARRIER, ManagedBarrier.class, (args) -> new ServerBarrier(parties((Integer)args[0])));
        registry.register(QUEUE, BlockingQueue.class, (ManagedFactory<BlockingQueue>)(args) ->
            new LinkedBlockingQueue<>(maxsize(args)));
        registry.register(POOL, io.ipckit.manager.ManagedPool.class, (args) -> new ServerPool((Integer)args[0],
            CallContext.current().session() != null ? CallContext.current().session().allowedClasses() : List.of()),
            Map.of("submit", POOL_FUTURE));
        registry.register(POOL_FUTURE, java.util.concurrent.Future.class, null);
        registry.register(JOINABLE_QUEUE, ManagedJoinableQueue.class, (ManagedFactory<ManagedJoinableQueue>)(args) ->
            new ServerJoinableQueue<>(maxsize(args)));
    }

    /**
     * @return a queue's bound: its argument, or no bound without one.
     * @throws IllegalArgumentException for a bound below 1, as before this message existed: a durable manager replays
     *                                  its journal's creates, and one that failed then must fail again, or every later
     *                                  object would get another id. {@code Manager.queue(n)} maps Python's maxsize
     *                                  of 0 or less to no argument.
     */
    private static int maxsize(final Object[] args)
    {
        if (args.length == 0)
        {
            return Integer.MAX_VALUE;
        }
        final int maxsize = (Integer)args[0];
        if (maxsize < 1)
        {
            throw new IllegalArgumentException("queue: a bound of " + maxsize + " must be at least 1; create the " +
                "queue without one for no bound (Manager.queue(n) takes 0 or less as no bound, as Python does)");
        }
        return maxsize;
    }

    private static int permits(final String what, final int permits)
    {
        if (permits < 0)
        {
            throw new IllegalArgumentException(what + ": the initial count must be 0 or more, not " + permits);
        }
        return permits;
    }

    private static int parties(final int parties)
    {
        if (parties < 1)
        {
            throw new IllegalArgumentException("barrier: parties must be at least 1, not " + parties);
        }
        return parties;
    }
}
