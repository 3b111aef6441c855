package io.ipckit.shm.value;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.ResourceExistsException;
import io.ipckit.core.exceptions.ResourceNotFoundException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.SharedMemory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.sync.SharedLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedValueTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldCountExactlyFromTwoJvms() throws InterruptedException
    {
        final int perChild = 20_000;
        try (SharedValue counter = SharedValue.create("counter", DType.INT64))
        {
            final JvmProcess adder = dir.start(SharedValueChild.class,
                "add", "counter", Integer.toString(perChild));
            final JvmProcess updater = dir.start(SharedValueChild.class,
                "update", "counter", Integer.toString(perChild));
            for (int i = 0; i < perChild; i++)
            {
                counter.getAndAdd(1);
            }
            assertTrue(adder.join(30, TimeUnit.SECONDS) && updater.join(30, TimeUnit.SECONDS));
            assertEquals(0, adder.exitCode().getAsInt());
            assertEquals(0, updater.exitCode().getAsInt());
            assertEquals(3L * perChild, counter.get());
            counter.unlink();
        }
    }

    @Test
    void shouldBehaveLikePythonValueAndArray()
    {
        try (SharedValue scalar = SharedValue.create("scalar", DType.INT32);
            SharedValue array = SharedValue.create("array", DType.FLOAT64, 3))
        {
            scalar.set(41);
            assertEquals(41, scalar.getAndAdd(1));
            assertTrue(scalar.compareAndSet(42, 7));
            assertFalse(scalar.compareAndSet(42, 8));
            assertEquals(14, scalar.updateAndGet(0, (v) -> v * 2));
            assertEquals(14.0, scalar.getDouble());
            array.setDouble(2, 2.5);
            assertEquals(2.5, array.getDouble(2));
            assertEquals(3, array.length());
            try (SharedValue opened = SharedValue.open("array"))
            {
                assertEquals(DType.FLOAT64, opened.dtype());
                assertEquals(2.5, opened.getDouble(2));
                opened.setDouble(0, -1);
            }
            assertEquals(-1.0, array.getDouble());
            assertTrue(array.lock().isEmpty());
            assertEquals("SharedValue{array, float64[3]}", array.toString());
        }
    }

    @Test
    void shouldRunCompoundUpdatesUnderTheGivenLock() throws InterruptedException
    {
        final ReentrantLock lock = new ReentrantLock();
        try (SharedValue value = SharedValue.create("locked", DType.FLOAT64))
        {
            final IllegalStateException noLock = assertThrows(IllegalStateException.class,
                () -> value.updateAndGetDouble(0, (v) -> v + 1));
            assertEquals("updateAndGetDouble on SharedValue \"locked\" (float64) needs a lock: use withLock(lock), " +
                "or an int32/int64 value for lock-free updates", noLock.getMessage());
            final SharedValue guarded = value.withLock(lock);
            assertEquals(lock, guarded.lock().orElseThrow());
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                threads.add(Thread.ofPlatform().start(() ->
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        guarded.updateAndGetDouble(0, (v) ->
                        {
                            assertTrue(lock.isHeldByCurrentThread());
                            return v + 1;
                        });
                    }
                }));
            }
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertEquals(40_000.0, value.getDouble(), "no update lost under the lock");
            try (SharedValue int8 = SharedValue.create("small", DType.INT8))
            {
                assertThrows(IllegalStateException.class, () -> int8.updateAndGet(0, (v) -> v + 1));
                assertEquals(1, int8.withLock(lock).updateAndGet(0, (v) -> v + 1));
                assertThrows(IllegalArgumentException.class, () -> int8.withLock(lock).updateAndGet(0, (v) -> 500));
                assertFalse(lock.isLocked(), "the lock is released when the update fails");
            }
        }
    }

    /**
     * A locked compound update and a lock-free addition of another thread on one int64 value: neither is lost.
     * Before, the update read, applied and wrote under the lock, and an addition in between was overwritten.
     */
    @Test
    void shouldKeepAdditionsMadeWithoutTheLockDuringALockedUpdate() throws InterruptedException
    {
        final ReentrantLock lock = new ReentrantLock();
        try (SharedValue value = SharedValue.create("mixed", DType.INT64))
        {
            final SharedValue guarded = value.withLock(lock);
            final Thread adder = Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < 200_000; i++)
                {
                    value.getAndAdd(0, 1);
                }
            });
            final Thread updater = Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < 100_000; i++)
                {
                    guarded.updateAndGet(0, (v) -> v + 1);
                    guarded.updateAndGetDouble(0, (v) -> v + 1);
                }
            });
            adder.join(TimeUnit.SECONDS.toMillis(30));
            updater.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(400_000L, value.get(), "no addition lost");
        }
    }

    @Test
    void shouldRejectBadInput()
    {
        assertThrows(IllegalArgumentException.class, () -> SharedValue.create("empty", DType.INT32, 0));
        try (SharedValue value = SharedValue.create("v", DType.INT16, 2))
        {
            final IndexOutOfBoundsException index = assertThrows(IndexOutOfBoundsException.class,
                () -> value.getLong(2));
            assertEquals("index 2 is out of bounds for SharedValue \"v\" of length 2", index.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> value.setLong(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> value.set(1 << 20));
            assertThrows(UnsupportedOperationException.class, () -> value.getAndAdd(1));
            assertThrows(ResourceExistsException.class, () -> SharedValue.create("v", DType.INT16));
            value.unlink();
            assertThrows(ResourceNotFoundException.class, () -> SharedValue.open("v"));
            assertThrows(ResourceNotFoundException.class, value::unlink);
        }
        try (SharedArray array = SharedArray.create("an-array", DType.INT32, 2))
        {
            final WrongResourceKindException kind = assertThrows(WrongResourceKindException.class,
                () -> SharedValue.open("an-array"));
            assertTrue(kind.getMessage().startsWith("\"an-array\" is a SharedArray, not a SharedValue"), kind.getMessage());
        }
        try (SharedValue value = SharedValue.create("corrupt", DType.INT64, 4);
            SharedMemory raw = SharedMemory.open("corrupt"))
        {
            raw.buffer().putInt(SharedValueDescriptor.LENGTH_OFFSET, 5);
            final CorruptResourceException corrupt = assertThrows(CorruptResourceException.class,
                () -> SharedValue.open("corrupt"));
            assertEquals("SharedValue \"corrupt\" has corrupt metadata: dtype code 6, item size 8, length 5 for 32 " +
                "data bytes; unlink it and create it again", corrupt.getMessage());
            assertEquals(4, value.length());
        }
    }

    @Test
    void shouldSerialiseCompoundUpdatesOfTwoJvmsWithASharedLock() throws Exception
    {
        try (SharedLock lock = SharedLock.create("total.lock");
             SharedValue total = SharedValue.create("total", DType.FLOAT64).withLock(lock))
        {
            final JvmProcess a = dir.start(SharedValueChild.class, new ProcessOptions()
                .args("locked-double", "total", "3000", "total.lock").daemon(true));
            final JvmProcess b = dir.start(SharedValueChild.class, new ProcessOptions()
                .args("locked-double", "total", "3000", "total.lock").daemon(true));
            for (int i = 0; i < 3000; i++)
            {
                total.updateAndGetDouble(0, (v) -> v + 1.0);
            }
            assertEquals(0, a.join());
            assertEquals(0, b.join());
            assertEquals(9000.0, total.getDouble(), "a lost update means the lock failed");
            total.unlink();
            lock.unlink();
        }
    }

    /**
     * A value created again with another dtype used to open silently as the new type: the expected dtype is checked.
     */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRefuseToOpenAValueOfAnotherDtype()
    {
        try (SharedValue created = SharedValue.create("typed", DType.INT64, 2))
        {
            try (SharedValue same = SharedValue.open("typed", DType.INT64))
            {
                assertEquals(2, same.length());
            }
            final WrongResourceKindException ex = assertThrows(WrongResourceKindException.class,
                () -> SharedValue.open("typed", DType.FLOAT64));
            assertEquals("SharedValue \"typed\" holds int64 elements, not float64: open it without a dtype to take " +
                "what it is, or use another name", ex.getMessage());
            created.unlink();
        }
    }
}
