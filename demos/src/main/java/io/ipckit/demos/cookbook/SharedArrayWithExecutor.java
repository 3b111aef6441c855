package io.ipckit.demos.cookbook;

import io.ipckit.pool.ProcessPool;
import io.ipckit.pool.SerializableCallable;
import io.ipckit.shm.SharedMemoryManager;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Python: {@code with ProcessPoolExecutor(8) as executor: with SharedMemoryManager() as manager:
 * shm = manager.SharedMemory(X.nbytes); shared_arr = np.ndarray(X.shape, X.dtype, shm.buf);
 * shared_arr[:] = X[:]; executor.submit(work_on_shm, shm.name, X.shape, X.dtype).result()}. A
 * {@link SharedArray} carries its shape and dtype in its header, so the worker opens it by name alone (a raw
 * {@code SharedMemory} plus {@code SharedArray.wrap(memory, dtype, shape)} is the exact twin, and what numpy in a
 * Python process can open too). The manager unlinks what it made when closed, as Python's does.
 */
public final class SharedArrayWithExecutor
{
    private SharedArrayWithExecutor()
    {
    }

    static String workOnShm(final String name)
    {
        System.out.println("hey");
        try (SharedArray arr = SharedArray.open(name))
        {
            return Arrays.toString(arr.shape()) + " sum " + arr.sumLong();
        }
    }

    /**
     * @param args none.
     * @throws Exception when the task fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        try (ProcessPool executor = ProcessPool.create(2); SharedMemoryManager manager = new SharedMemoryManager())
        {
            final SharedArray sharedArr = manager.sharedArray(DType.UINT8, 78, 78);
            for (long i = 0; i < 78; i++)
            {
                sharedArr.setLong(i, i, 1); // X: zeros with a diagonal, so that the worker has something to sum
            }
            final String name = sharedArr.name();
            final CompletableFuture<String> future = executor.submit((SerializableCallable<String>)() -> workOnShm(name));
            System.out.println(future.get()); // [78, 78] sum 78
        }
    }
}
