package io.ipckit.demos.cookbook;

import io.ipckit.core.process.SerializableRunnable;

import java.io.Serializable;

/**
 * Python's {@code Process(target=f, args=(...))} for code that throws: wraps a serializable task whose checked
 * exceptions end the child with a stack trace and a non-zero exit code, as an exception in a Python child does.
 * Stateless and thread-safe.
 */
public final class Child
{
    private Child()
    {
    }

    /**
     * What a child runs; serializable, so that it travels to the child JVM (capture only serializable values).
     */
    @FunctionalInterface
    public interface Task extends Serializable
    {
        /**
         * @throws Exception anything: the child exits with status 1.
         */
        void run() throws Exception;
    }

    /**
     * @param task the child's work, e.g. {@code () -> consumer(queueName)}.
     * @return a target for {@link io.ipckit.core.process.JvmProcess#start(SerializableRunnable)}.
     */
    public static SerializableRunnable of(final Task task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            catch (final Exception ex)
            {
                if (ex instanceof InterruptedException)
                {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("child task failed: " + ex, ex);
            }
        };
    }
}
