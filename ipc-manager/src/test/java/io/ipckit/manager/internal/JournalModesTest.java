package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedJoinableQueue;
import io.ipckit.manager.ManagedPool;
import io.ipckit.manager.ManagedSemaphore;
import io.ipckit.manager.ManagerRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which calls a durable manager journals, and how.
 */
class JournalModesTest
{
    private static final ManagerRegistry REGISTRY = ManagerRegistry.defaults();

    private static JournalModes.Mode mode(final String typeid, final Class<?> type, final String name,
        final Class<?>... parameters) throws NoSuchMethodException
    {
        final Method method = type.getMethod(name, parameters);
        final ObjectTable.Managed managed = new ObjectTable.Managed(1, null, REGISTRY.entry(typeid), null);
        return JournalModes.mode(managed, method, Signatures.of(method));
    }

    @Test
    void shouldJournalWritesOfDictsButNotReads() throws Exception
    {
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.DICT, ConcurrentMap.class, "put", Object.class,
            Object.class));
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.DICT, ConcurrentMap.class, "remove", Object.class));
        assertNull(mode(Builtins.DICT, ConcurrentMap.class, "get", Object.class));
        assertNull(mode(Builtins.DICT, ConcurrentMap.class, "size"));
    }

    @Test
    void shouldRunBlockingQueueAndSemaphoreCallsAsTheirNonBlockingForms() throws Exception
    {
        assertEquals(JournalModes.Mode.TRY, mode(Builtins.QUEUE, BlockingQueue.class, "take"));
        assertEquals(JournalModes.Mode.TRY, mode(Builtins.QUEUE, BlockingQueue.class, "put", Object.class));
        assertEquals(JournalModes.Mode.TRY, mode(Builtins.QUEUE, BlockingQueue.class, "poll", long.class,
            TimeUnit.class));
        assertEquals(JournalModes.Mode.TRY, mode(Builtins.JOINABLE_QUEUE, ManagedJoinableQueue.class, "offer",
            Object.class, long.class, TimeUnit.class));
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.QUEUE, BlockingQueue.class, "poll"));
        assertNull(mode(Builtins.JOINABLE_QUEUE, ManagedJoinableQueue.class, "join"), "waits, changes nothing");
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.JOINABLE_QUEUE, ManagedJoinableQueue.class,
            "taskDone"));
        assertEquals(JournalModes.Mode.TRY, mode(Builtins.SEMAPHORE, ManagedSemaphore.class, "acquire"));
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.SEMAPHORE, ManagedSemaphore.class, "release"));
        assertArrayEquals(new Object[] {7}, JournalModes.tryArgs(JournalModes.TRY_FORMS.get(
            "offer(java.lang.Object,long,java.util.concurrent.TimeUnit)"), new Object[] {7, 1L, TimeUnit.SECONDS}));
        assertArrayEquals(new Object[] {0L, TimeUnit.NANOSECONDS}, JournalModes.tryArgs(JournalModes.TRY_FORMS.get(
            "acquire()"), new Object[0]));
    }

    @Test
    void shouldJournalNoLockCallButTheMakingOfItsConditions() throws Exception
    {
        assertNull(mode(Builtins.LOCK, Lock.class, "lock"));
        assertNull(mode(Builtins.LOCK, Lock.class, "unlock"));
        assertEquals(JournalModes.Mode.UNDER, mode(Builtins.LOCK, Lock.class, "newCondition"),
            "it hands out an object id, which replay must hand out again");
    }

    @Test
    void shouldJournalNoPoolCall() throws Exception
    {
        assertNull(mode(Builtins.POOL, ManagedPool.class, "submit", io.ipckit.pool.SerializableCallable.class),
            "a task must not run again at replay");
        assertNull(mode(Builtins.POOL, ManagedPool.class, "workerCount"));
    }

    @Test
    void shouldJournalCreateAndBindButNotLookup()
    {
        assertEquals(JournalModes.Mode.UNDER, JournalModes.mode(null, null, "create"));
        assertEquals(JournalModes.Mode.UNDER, JournalModes.mode(null, null, "bind"));
        assertNull(JournalModes.mode(null, null, "lookup"));
        assertNull(JournalModes.mode(null, null, "attach"));
    }
}
