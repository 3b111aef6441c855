package io.ipckit.shm;

import io.ipckit.shm.array.DType;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM for {@link SharedMemoryManagerTest}: creates one resource of each kind through a manager, named
 * {@code <prefix>-memory}, {@code -array}, {@code -value}, {@code -list}, and waits to be killed.
 */
public final class SharedMemoryManagerChild
{
    private SharedMemoryManagerChild()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final SharedMemoryManager manager = new SharedMemoryManager();
        manager.sharedMemory(args[0] + "-memory", 4096);
        manager.sharedArray(args[0] + "-array", DType.FLOAT32, 16, 16);
        manager.sharedValue(args[0] + "-value", DType.INT64, 1);
        manager.shareableList(args[0] + "-list", List.of("x", 1L), new ShmOptions());
        Thread.sleep(TimeUnit.MINUTES.toMillis(2));
        System.exit(4);
    }
}
