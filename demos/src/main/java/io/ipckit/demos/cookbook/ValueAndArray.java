package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.value.SharedValue;

import java.util.List;

/**
 * Python: {@code multiprocessing.Value('i', 0)} incremented by several processes under {@code get_lock()}, and
 * {@code Array('d', 3)}. A {@link SharedValue} is both (a length of 1 or more); {@code withLock(lock)} gives
 * Python's {@code lock=True} with a cross-process {@link SharedLock} around compound updates. (A plain
 * {@code getAndAdd} is a single atomic instruction and needs no lock at all.)
 */
public final class ValueAndArray
{
    private static final int INCREMENTS = 1000;

    private ValueAndArray()
    {
    }

    static void increment(final String counterName, final String lockName, final String arrayName, final int index)
    {
        try (SharedValue raw = SharedValue.open(counterName); SharedLock lock = SharedLock.open(lockName);
            SharedValue array = SharedValue.open(arrayName))
        {
            final SharedValue counter = raw.withLock(lock);
            for (int i = 0; i < INCREMENTS; i++)
            {
                counter.updateAndGet(0, (v) -> v + 1); // "with counter.get_lock(): counter.value += 1"
            }
            array.setDouble(index, index * 1.5);
        }
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final String counterName = ResourceName.random("value_");
        final String lockName = ResourceName.random("lock_");
        final String arrayName = ResourceName.random("array_");
        try (SharedValue counter = SharedValue.create(counterName, DType.INT32);
            SharedLock lock = SharedLock.create(lockName);
            SharedValue array = SharedValue.create(arrayName, DType.FLOAT64, 3))
        {
            final List<JvmProcess> procs = List.of(
                JvmProcess.start(Child.of(() -> increment(counterName, lockName, arrayName, 1))),
                JvmProcess.start(Child.of(() -> increment(counterName, lockName, arrayName, 2))));
            for (final JvmProcess p : procs)
            {
                p.join();
            }
            System.out.println("counter.value = " + counter.get()); // 2000
            System.out.println("array[:] = [" + array.getDouble(0) + ", " + array.getDouble(1) + ", " +
                array.getDouble(2) + "]"); // [0.0, 1.5, 3.0]
            counter.unlink();
            lock.unlink();
            array.unlink();
        }
    }
}
