package io.ipckit.pool;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;

import java.util.concurrent.TimeUnit;

/**
 * A gate in shared memory that tasks in worker JVMs pass through: each task records that it entered (and its pid),
 * then waits until the test opens the gate.
 */
final class Gates
{
    static final int OPEN = 0;
    static final int ENTERED = 8;
    static final int PID = 16;

    private Gates()
    {
    }

    static ResourceFile create(final String name)
    {
        return ResourceFile.create(name, ResourceKind.TEST, 1, 0, 64, false, null);
    }

    static long entered(final ResourceFile gate)
    {
        return gate.buffer().getLongVolatile(gate.headerLength() + ENTERED);
    }

    static void open(final ResourceFile gate)
    {
        gate.buffer().putLongRelease(gate.headerLength() + OPEN, 1);
    }

    /**
     * Runs in a worker: counts itself in, records its pid, waits (at most 60 s) for the gate to open.
     *
     * @return how many tasks had entered, itself included.
     */
    static int passAndCount(final String name) throws InterruptedException
    {
        try (ResourceFile gate = ResourceFile.open(name, ResourceKind.TEST, 1))
        {
            final int base = gate.headerLength();
            gate.buffer().putLongRelease(base + PID, ProcessHandle.current().pid());
            final long entered = gate.buffer().getAndAddLong(base + ENTERED, 1) + 1;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (gate.buffer().getLongAcquire(base + OPEN) == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            return (int)entered;
        }
    }
}
