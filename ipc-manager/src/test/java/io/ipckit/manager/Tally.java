package io.ipckit.manager;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A user type for the durable manager's tests: a serializable counter, one of whose calls can crash the manager's
 * JVM once, right after its effect, so that its caller never gets the answer and sends the call again.
 */
public interface Tally
{
    /**
     * @return the count after adding one.
     */
    int increment();

    /**
     * Adds one; when {@code marker} exists, deletes it and halts the manager's JVM before answering (as SIGKILL
     * would), so the call is journaled and applied but never acknowledged.
     *
     * @param marker a file's path.
     * @return the count after adding one.
     */
    int incrementOrCrash(String marker);

    /**
     * Adds one, then waits while {@code hold} exists: a blocking method (it declares {@link InterruptedException}), so
     * a durable manager applies it outside its lock and journals it when it returns.
     *
     * @param hold a file's path.
     * @return the count after adding one.
     * @throws InterruptedException when interrupted while it waits.
     */
    int incrementThenWait(String hold) throws InterruptedException;

    /**
     * @return the count.
     */
    int count();

    /**
     * The registry of the tests: the built-ins and {@code tally}.
     *
     * @return the registry.
     */
    static ManagerRegistry registry()
    {
        return ManagerRegistry.defaults().register("tally", Tally.class, (args) -> new TallyImpl());
    }

    /**
     * The manager-side tally.
     */
    final class TallyImpl implements Tally, Serializable
    {
        private static final long serialVersionUID = 1L;

        private int count;

        @Override
        public synchronized int increment()
        {
            return ++count;
        }

        @Override
        public synchronized int incrementOrCrash(final String marker)
        {
            ++count;
            try
            {
                if (Files.deleteIfExists(Path.of(marker)))
                {
                    Runtime.getRuntime().halt(137);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return count;
        }

        @Override
        public int incrementThenWait(final String hold) throws InterruptedException
        {
            final int now;
            synchronized (this)
            {
                now = ++count;
            }
            while (Files.exists(Path.of(hold)))
            {
                Thread.sleep(1);
            }
            return now;
        }

        @Override
        public synchronized int count()
        {
            return count;
        }
    }
}
