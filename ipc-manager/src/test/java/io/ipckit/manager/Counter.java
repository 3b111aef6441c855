package io.ipckit.manager;

/**
 * A user type for the tests: a counter whose {@link #snapshot()} returns a new managed value (method_to_typeid).
 */
public interface Counter
{
    /**
     * @return the count after adding one.
     */
    int increment();

    /**
     * @return a new managed value holding the count now.
     */
    ManagedValue<Integer> snapshot();

    /**
     * Sleeps in the manager without declaring that it blocks, to meet the call timeout.
     *
     * @param millis how long.
     */
    void stall(long millis);

    /**
     * @return the number of platform threads alive in the manager's JVM.
     */
    int platformThreads();

    /**
     * The registry of the tests: the built-ins, {@code counter}, and {@code value} reused for snapshots.
     *
     * @return the registry.
     */
    static ManagerRegistry registry()
    {
        return ManagerRegistry.defaults().register("counter", Counter.class, (args) -> new CounterImpl(),
            java.util.Map.of("snapshot", "snapshotValue"))
            .register("snapshotValue", ManagedValue.class, null);
    }

    /**
     * The manager-side counter.
     */
    final class CounterImpl implements Counter
    {
        private int count;

        @Override
        public int platformThreads()
        {
            return Thread.getAllStackTraces().size();
        }

        @Override
        public synchronized int increment()
        {
            return ++count;
        }

        @Override
        public synchronized ManagedValue<Integer> snapshot()
        {
            final int now = count;
            return new ManagedValue<>()
            {
                private Integer value = now;

                @Override
                public synchronized Integer get()
                {
                    return value;
                }

                @Override
                public synchronized void set(final Integer v)
                {
                    value = v;
                }

                @Override
                public synchronized Integer getAndSet(final Integer v)
                {
                    final Integer old = value;
                    value = v;
                    return old;
                }

                @Override
                public synchronized boolean compareAndSet(final Integer expected, final Integer update)
                {
                    if (java.util.Objects.equals(value, expected))
                    {
                        value = update;
                        return true;
                    }
                    return false;
                }
            };
        }

        @Override
        public void stall(final long millis)
        {
            try
            {
                Thread.sleep(millis);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
