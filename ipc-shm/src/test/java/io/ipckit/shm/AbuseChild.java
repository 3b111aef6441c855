package io.ipckit.shm;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.list.ShareableList;
import io.ipckit.shm.sync.SharedBarrier;
import io.ipckit.shm.sync.SharedCondition;
import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedReentrantLock;
import io.ipckit.shm.sync.SharedSemaphore;
import io.ipckit.shm.value.SharedValue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;

/**
 * Child JVM for {@link AbuseTest}: {@code <mode> <kind>} makes a structure of {@code kind} (and what hangs off it:
 * views, iterators, conditions), then either closes it ({@code close}), or creates {@code <name>.ready} and waits
 * until the parent truncates its file to 0 bytes ({@code truncate}; {@code truncate-in-use}: while a busy thread
 * uses it, past JIT warm-up, which must end with an exception, not a crash), and calls every public method of every one of these objects, one by one, each with a
 * deadline. It prints one line per call and a final {@code BAD <n>} count of calls whose outcome was neither a
 * normal return (a method that touches no shared memory) nor the expected exception
 * ({@link ResourceClosedException} after close, {@link CorruptResourceException} after truncation), and exits with
 * 0 when there was none, 2 otherwise. A JVM crash shows as another exit code (134 for SIGABRT after SIGSEGV/SIGBUS).
 */
public final class AbuseChild
{
    /** Kinds this child can make. */
    public static final List<String> KINDS = List.of("SharedMemory", "SharedArray", "SharedValue", "ShareableList",
        "SharedLock", "SharedReentrantLock", "SharedSemaphore", "SharedEvent", "SharedCondition", "SharedBarrier");

    private static final Set<String> OBJECT_METHODS = Set.of("wait", "notify", "notifyAll", "getClass", "hashCode",
        "equals", "toString");

    private AbuseChild()
    {
    }

    /**
     * @param args the mode ({@code close}, {@code truncate}, {@code truncate-in-use}), then the kinds to abuse, one
     *             after the other in this JVM.
     */
    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        int bad = 0;
        for (int i = 1; i < args.length; i++)
        {
            bad += abuse(mode, args[i]);
        }
        System.out.println("BAD " + bad);
        System.out.flush();
        System.exit(bad == 0 ? 0 : 2);
    }

    /**
     * Abuses one kind of structure as {@code mode} says, printing each call's outcome.
     *
     * @return the number of calls that crashed or failed otherwise than refusing.
     */
    private static int abuse(final String mode, final String kind) throws Exception
    {
        final String name = kind.toLowerCase() + "-" + mode;
        final Map<String, Object> targets = new LinkedHashMap<>();
        final AutoCloseable owner = make(kind, name, targets);
        final Class<? extends Throwable> expected = "close".equals(mode) ?
            ResourceClosedException.class : CorruptResourceException.class;
        final Throwable[] busyEnd = new Throwable[1];
        Thread busy = null;
        final boolean inUse = "truncate-in-use".equals(mode);
        if ("close".equals(mode))
        {
            owner.close();
        }
        else if (!inUse)
        {
            Files.createFile(SharedDirectory.resolve(name + ".ready"));
            awaitTruncation(name);
        }
        else
        {
            // use the structure from another thread until the parent truncates its file under it
            final Runnable operation = busyOperation(targets.values().iterator().next());
            final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
            busy = new Thread(() ->
            {
                try
                {
                    while (true)
                    {
                        operation.run();
                        runs.lazySet(runs.get() + 1);
                    }
                }
                catch (final Throwable t)
                {
                    busyEnd[0] = t;
                }
            }, "busy");
            busy.setDaemon(true);
            busy.start();
            // in steady use: past the JIT's warm-up, whose interpreted CASes keep a documented ~0.1 us window
            // (see MappedFile: a truncation between a read and an interpreted CAS cannot be caught)
            final long warmUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (runs.get() < 200_000 || System.nanoTime() - warmUntilNs < 0)
            {
                if (!busy.isAlive())
                {
                    throw new IllegalStateException("the busy thread failed before the truncation", busyEnd[0]);
                }
                Thread.sleep(1);
            }
            Files.createFile(SharedDirectory.resolve(name + ".ready"));
            awaitTruncation(name);
            busy.join(TimeUnit.SECONDS.toMillis(30));
        }
        final ExecutorService executor = Executors.newCachedThreadPool((r) ->
        {
            final Thread thread = new Thread(r);
            thread.setDaemon(true);
            return thread;
        });
        int bad = 0;
        for (final Map.Entry<String, Object> target : targets.entrySet())
        {
            final Object object = target.getValue();
            final Method[] methods = Modifier.isPublic(object.getClass().getModifiers()) ?
                object.getClass().getMethods() : object instanceof Iterator<?> ?
                ListIterator.class.getMethods() : List.class.getMethods();
            Arrays.sort(methods, Comparator.comparing(Method::toString));
            for (final Method method : methods)
            {
                if (Modifier.isStatic(method.getModifiers()) || OBJECT_METHODS.contains(method.getName()) ||
                    method.getName().equals("close") || method.getName().equals("unlink"))
                {
                    continue;
                }
                final String outcome = call(executor, target.getValue(), method);
                // in-use: code compiled by the busy thread gets HotSpot's InternalError asynchronously, at a later
                // safepoint poll that may lie outside the public method's catch (documented in MappedFile)
                final boolean ok = outcome.equals("ok") || outcome.equals(expected.getSimpleName()) ||
                    inUse && outcome.startsWith("InternalError") ||
                    outcome.startsWith("arguments:") ||
                    object instanceof Iterator<?> && outcome.equals("IllegalStateException"); // remove() before next()
                if (!ok)
                {
                    bad++;
                }
                System.out.println((ok ? "" : "BAD ") + target.getKey() + "." + method.getName() +
                    Arrays.toString(method.getParameterTypes()) + " -> " + outcome);
            }
        }
        if (busy != null)
        {
            final String outcome = busy.isAlive() ? "still running 30 s after the truncation" :
                busyEnd[0] == null ? "ended" : busyEnd[0].getClass().getSimpleName() +
                (busyEnd[0] instanceof Error ? ": " + busyEnd[0].getMessage() : "");
            // raw SharedMemory is the caller's own Unsafe access: it sees the JVM's InternalError (documented)
            final boolean ok = busyEnd[0] != null &&
                (expected.isInstance(busyEnd[0]) || busyEnd[0] instanceof InternalError);
            bad += ok ? 0 : 1;
            System.out.println((ok ? "" : "BAD ") + "busy thread using it during the truncation -> " + outcome);
        }
        owner.close();
        executor.shutdownNow();
        System.out.println(kind + ": " + bad + " bad");
        return bad;
    }

    private static String call(final ExecutorService executor, final Object target, final Method method)
        throws InterruptedException
    {
        final Object[] arguments = arguments(method);
        final Future<String> result = executor.submit(() ->
        {
            try
            {
                method.setAccessible(true);
                method.invoke(target, arguments);
                return "ok";
            }
            catch (final InvocationTargetException ex)
            {
                final Throwable cause = ex.getCause();
                if (cause instanceof IllegalArgumentException || cause instanceof IndexOutOfBoundsException ||
                    cause instanceof UnsupportedOperationException || cause instanceof NullPointerException ||
                    cause instanceof IllegalMonitorStateException || cause instanceof ClassCastException ||
                    cause instanceof java.util.NoSuchElementException)
                {
                    // refused the dummy arguments before touching the memory (or legitimately): not a crash
                    return "arguments: " + cause.getClass().getSimpleName();
                }
                return cause.getClass().getSimpleName() + (cause instanceof Error ? ": " + cause.getMessage() : "");
            }
        });
        try
        {
            return result.get(5, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            return "blocked for 5 s";
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            return "harness: " + ex.getCause();
        }
    }

    private static Object[] arguments(final Method method)
    {
        final Class<?>[] types = method.getParameterTypes();
        final Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++)
        {
            final Class<?> type = types[i];
            values[i] =
                type == int.class ? 0 :
                type == long.class ? 0L :
                type == double.class ? 0.0 :
                type == float.class ? 0.0f :
                type == boolean.class ? false :
                type == short.class ? (short)0 :
                type == byte.class ? (byte)0 :
                type == char.class ? 'x' :
                type == String.class ? "x" :
                type == TimeUnit.class ? TimeUnit.MILLISECONDS :
                type == long[].class ? new long[]{0} :
                type == int[].class ? new int[]{0} :
                type == double[].class ? new double[1] :
                type == float[].class ? new float[1] :
                type == short[].class ? new short[1] :
                type == byte[].class ? new byte[1] :
                type == Object[].class ? new Object[1] :
                type == MemorySegment.class ? MemorySegment.ofArray(new byte[64]) :
                type == org.agrona.DirectBuffer.class || type == org.agrona.MutableDirectBuffer.class ?
                    new UnsafeBuffer(new byte[64]) :
                type == Object.class ? 1L :
                type == java.util.Collection.class ? List.of(1L) :
                type == java.util.function.LongUnaryOperator.class ? (java.util.function.LongUnaryOperator)(v) -> v :
                type == java.util.function.DoubleUnaryOperator.class ?
                    (java.util.function.DoubleUnaryOperator)(v) -> v :
                null;
        }
        return values;
    }

    private static void awaitTruncation(final String name) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.size(SharedDirectory.resolve(name)) > 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the parent did not truncate " + name);
            }
            Thread.sleep(1);
        }
    }

    /** What the busy thread does over and over: a typical hot operation of the structure. */
    private static Runnable busyOperation(final Object target)
    {
        if (target instanceof SharedMemory memory)
        {
            final MemorySegment segment = memory.segment(); // raw memory: its user sees the JVM's own InternalError
            return () ->
            {
                if (segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) == -1)
                {
                    throw new IllegalStateException();
                }
            };
        }
        if (target instanceof SharedArray array)
        {
            return () -> array.compareAndSet(0, array.getLong(0), array.getLong(0) + 1);
        }
        if (target instanceof SharedValue value)
        {
            return () -> value.getAndAdd(1);
        }
        if (target instanceof ShareableList list)
        {
            return () -> list.set(0, list.getLong(0) + 1);
        }
        if (target instanceof SharedSemaphore semaphore)
        {
            return () ->
            {
                if (semaphore.tryAcquire())
                {
                    semaphore.release();
                }
            };
        }
        if (target instanceof SharedLock lock)
        {
            return () ->
            {
                if (lock.tryLock())
                {
                    lock.unlock();
                }
            };
        }
        if (target instanceof SharedEvent event)
        {
            return () ->
            {
                event.set();
                event.clear();
            };
        }
        if (target instanceof SharedCondition condition)
        {
            return () ->
            {
                condition.lock().lock();
                try
                {
                    condition.signalAll();
                }
                finally
                {
                    condition.lock().unlock();
                }
            };
        }
        if (target instanceof SharedBarrier barrier)
        {
            return barrier::getNumberWaiting;
        }
        throw new IllegalArgumentException(target.toString());
    }

    private static AutoCloseable make(final String kind, final String name, final Map<String, Object> targets)
    {
        switch (kind)
        {
            case "SharedMemory" ->
            {
                final SharedMemory memory = SharedMemory.create(name, 4096);
                targets.put("memory", memory);
                return memory;
            }
            case "SharedArray" ->
            {
                final SharedArray array = SharedArray.create(name, DType.INT64, 1);
                targets.put("array", array);
                targets.put("view", array.slice(0, 0, 1, 1));
                targets.put("reshaped", array.reshape(1, 1));
                return array;
            }
            case "SharedValue" ->
            {
                final SharedValue value = SharedValue.create(name, DType.INT64);
                targets.put("value", value);
                return value;
            }
            case "ShareableList" ->
            {
                final ShareableList list = ShareableList.create(name, new ArrayList<>(List.of(1L, "two", 3.0)));
                targets.put("list", list);
                targets.put("iterator", list.listIterator());
                targets.put("subList", list.subList(0, 2));
                return list;
            }
            case "SharedLock" ->
            {
                final SharedLock lock = SharedLock.create(name);
                targets.put("lock", lock);
                targets.put("condition", lock.newCondition());
                return lock;
            }
            case "SharedReentrantLock" ->
            {
                final SharedReentrantLock lock = SharedReentrantLock.create(name);
                targets.put("lock", lock);
                final Condition condition = lock.newCondition();
                targets.put("condition", condition);
                return lock;
            }
            case "SharedSemaphore" ->
            {
                final SharedSemaphore semaphore = SharedSemaphore.createBounded(name, 1);
                targets.put("semaphore", semaphore);
                return semaphore;
            }
            case "SharedEvent" ->
            {
                final SharedEvent event = SharedEvent.create(name);
                targets.put("event", event);
                return event;
            }
            case "SharedCondition" ->
            {
                final SharedCondition condition = SharedCondition.create(name);
                targets.put("condition", condition);
                return condition;
            }
            case "SharedBarrier" ->
            {
                final SharedBarrier barrier = SharedBarrier.create(name, 2);
                targets.put("barrier", barrier);
                return barrier;
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }
}
