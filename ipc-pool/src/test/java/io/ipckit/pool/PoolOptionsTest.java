package io.ipckit.pool;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolOptionsTest
{
    @Test
    void shouldStartWithPythonsDefaults()
    {
        final PoolOptions options = new PoolOptions();
        assertEquals(Runtime.getRuntime().availableProcessors(), options.workers());
        assertNull(options.name());
        assertNull(options.initializer());
        assertEquals(0, options.maxTasksPerWorker());
        assertEquals(0, options.taskTimeout(TimeUnit.NANOSECONDS));
        assertEquals(PoolOptions.TASKS_IN_FLIGHT_PER_WORKER_DEFAULT, options.tasksInFlightPerWorker());
        assertEquals(PoolOptions.RING_CAPACITY_DEFAULT_BYTES, options.ringCapacityBytes());
        assertTrue(options.aotCache());
        assertEquals(List.of(), options.jvmOptions());
        assertEquals(List.of(), options.allowClasses());
    }

    @Test
    void shouldTakeDefaultsFromSystemProperties()
    {
        System.setProperty(PoolOptions.WORKERS_PROP_NAME, "3");
        System.setProperty(PoolOptions.TASK_TIMEOUT_PROP_NAME, "1500");
        try
        {
            final PoolOptions options = new PoolOptions();
            assertEquals(3, options.workers());
            assertEquals(1500, options.taskTimeout(TimeUnit.MILLISECONDS));
            assertEquals(1, options.taskTimeout(TimeUnit.SECONDS), "rounded down");
        }
        finally
        {
            System.clearProperty(PoolOptions.WORKERS_PROP_NAME);
            System.clearProperty(PoolOptions.TASK_TIMEOUT_PROP_NAME);
        }
    }

    @Test
    void shouldRefuseBadValuesWhenSet()
    {
        final PoolOptions options = new PoolOptions();
        assertEquals("workers: a pool runs 1..4096 worker JVMs, not 0",
            assertThrows(IllegalArgumentException.class, () -> options.workers(0)).getMessage());
        // before: accepted, then an OutOfMemoryError or a task board of a negative length at the pool's creation
        assertThrows(IllegalArgumentException.class, () -> options.workers(PoolOptions.MAX_WORKERS + 1));
        assertThrows(IllegalArgumentException.class, () -> options.workers(Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> options.maxTasksPerWorker(-1));
        assertThrows(IllegalArgumentException.class, () -> options.tasksInFlightPerWorker(0));
        assertEquals("ringCapacityBytes must be a power of two from 1024 to 1073741824: 3000",
            assertThrows(IllegalArgumentException.class, () -> options.ringCapacityBytes(3000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> options.ringCapacityBytes(512));
        assertThrows(io.ipckit.core.exceptions.InvalidNameException.class, () -> options.name("../escape"));
        assertEquals(PoolOptions.RING_CAPACITY_DEFAULT_BYTES, options.ringCapacityBytes(), "a refused value is not kept");
    }

    @Test
    void shouldRefuseAJvmOptionWithoutALeadingDashWhenSet()
    {
        final PoolOptions options = new PoolOptions().jvmOptions("-Xss1m");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> options.jvmOptions("-Xms32m", "Xmx64m"));
        assertEquals("jvmOptions: \"Xmx64m\" is not a JVM option (those start with '-')", ex.getMessage());
        assertEquals(List.of("-Xss1m"), options.jvmOptions(), "no option of a refused call is kept");
        assertThrows(NullPointerException.class, () -> options.jvmOptions("-Xmx64m", null));
    }

    @Test
    void shouldStaggerWorkerStartsWhereTheMachineHasFewerThanTwoProcessorsPerWorker()
    {
        final int processors = Runtime.getRuntime().availableProcessors();
        assertEquals(PoolOptions.WORKER_START_STAGGER_DEFAULT_MS,
            new PoolOptions().workers(processors).workerStartStagger(TimeUnit.MILLISECONDS));
        assertEquals(0, new PoolOptions().workers(Math.max(1, processors / 2)).workerStartStagger(TimeUnit.MILLISECONDS),
            "two processors per worker: every worker starts at once");
        assertEquals(25, new PoolOptions().workers(1).workerStartStagger(25, TimeUnit.MILLISECONDS)
            .workerStartStagger(TimeUnit.MILLISECONDS), "a value set is kept whatever the machine");
        assertEquals(0, new PoolOptions().workerStartStagger(-1, TimeUnit.SECONDS)
            .workerStartStagger(TimeUnit.NANOSECONDS));
        assertThrows(IllegalArgumentException.class, () -> new PoolOptions().workerStartStagger(11, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> new PoolOptions().classPath(" "));
        System.setProperty(PoolOptions.WORKER_START_STAGGER_PROP_NAME, "7");
        try
        {
            assertEquals(7, new PoolOptions().workers(1).workerStartStagger(TimeUnit.MILLISECONDS));
        }
        finally
        {
            System.clearProperty(PoolOptions.WORKER_START_STAGGER_PROP_NAME);
        }
    }

    @Test
    void shouldTreatANonPositiveTaskTimeoutAsNoLimit()
    {
        final PoolOptions options = new PoolOptions().taskTimeout(2, TimeUnit.SECONDS);
        assertEquals(2_000, options.taskTimeout(TimeUnit.MILLISECONDS));
        assertEquals(0, options.taskTimeout(-1, TimeUnit.SECONDS).taskTimeout(TimeUnit.NANOSECONDS));
    }

    @Test
    void shouldCopyEverySetting()
    {
        final SerializableRunnableHolder holder = new SerializableRunnableHolder();
        final PoolOptions options = new PoolOptions().name("p").workers(2).initializer(holder.runnable)
            .maxTasksPerWorker(5).jvmOptions("-Xmx64m").taskTimeout(7, TimeUnit.SECONDS).tasksInFlightPerWorker(4)
            .ringCapacityBytes(4096).aotCache(false).allowClasses("com.acme.*")
            .workerStartStagger(9, TimeUnit.MILLISECONDS).classPath("a.jar");
        final PoolOptions copy = new PoolOptions(options);
        options.jvmOptions("-Xss1m").allowClasses("org.other.*").workers(9);
        assertEquals("p", copy.name());
        assertEquals(2, copy.workers());
        assertEquals(holder.runnable, copy.initializer());
        assertEquals(5, copy.maxTasksPerWorker());
        assertEquals(List.of("-Xmx64m"), copy.jvmOptions());
        assertEquals(7, copy.taskTimeout(TimeUnit.SECONDS));
        assertEquals(4, copy.tasksInFlightPerWorker());
        assertEquals(4096, copy.ringCapacityBytes());
        assertFalse(copy.aotCache());
        assertEquals(List.of("com.acme.*"), copy.allowClasses());
        assertEquals(9, copy.workerStartStagger(TimeUnit.MILLISECONDS));
        assertEquals("a.jar", copy.classPath());
    }

    private static final class SerializableRunnableHolder
    {
        final io.ipckit.core.process.SerializableRunnable runnable = () -> { };
    }
}
