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
        assertEquals("workers: a pool needs at least one worker, not 0",
            assertThrows(IllegalArgumentException.class, () -> options.workers(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> options.maxTasksPerWorker(-1));
        assertThrows(IllegalArgumentException.class, () -> options.tasksInFlightPerWorker(0));
        assertEquals("ringCapacityBytes must be a power of two from 1024 to 1073741824: 3000",
            assertThrows(IllegalArgumentException.class, () -> options.ringCapacityBytes(3000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> options.ringCapacityBytes(512));
        assertThrows(io.ipckit.core.exceptions.InvalidNameException.class, () -> options.name("../escape"));
        assertEquals(PoolOptions.RING_CAPACITY_DEFAULT_BYTES, options.ringCapacityBytes(), "a refused value is not kept");
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
            .ringCapacityBytes(4096).aotCache(false).allowClasses("com.acme.*");
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
    }

    private static final class SerializableRunnableHolder
    {
        final io.ipckit.core.process.SerializableRunnable runnable = () -> { };
    }
}
