package io.ipckit.bench.harness.messaging;

/**
 * What a {@link Transport} created in the harness process for one measurement (mapped files, a media driver, a
 * directory), and the text that tells worker processes how to reach it. Closing removes all of it.
 */
public interface Fixture extends AutoCloseable
{
    /**
     * @return the specification workers pass to {@link Transport#openSender} and {@link Transport#openReceiver}:
     *         names, paths, a directory; no spaces needed, any text a command-line argument can carry.
     */
    String spec();

    /**
     * @param role a worker's role ("ping", "pong", "producer", "consumer").
     * @return the command that worker's JVM starts through ({@link io.ipckit.core.process.ProcessOptions#launcher}),
     *         e.g. {@code ip netns exec <namespace>}; empty (the default) to start it directly.
     */
    default java.util.List<String> launcher(final String role)
    {
        return java.util.List.of();
    }

    /**
     * Stops what was started and deletes every file created; idempotent.
     */
    @Override
    void close();

    /**
     * Creates one resource per channel; if one fails, removes those already made. The fixture's spec is
     * {@code spec}, and closing it removes every resource.
     *
     * @param spec     what workers need to open the channels.
     * @param channels how many channels.
     * @param create   makes channel {@code i}'s resource.
     * @param remove   unlinks and closes one resource.
     * @param <T>      the resource type.
     * @return the fixture.
     */
    static <T> Fixture of(
        final String spec,
        final int channels,
        final java.util.function.IntFunction<T> create,
        final java.util.function.Consumer<T> remove)
    {
        final java.util.List<T> resources = new java.util.ArrayList<>();
        try
        {
            for (int channel = 0; channel < channels; channel++)
            {
                resources.add(create.apply(channel));
            }
        }
        catch (final RuntimeException ex)
        {
            resources.forEach(remove);
            throw ex;
        }
        return new Fixture()
        {
            @Override
            public String spec()
            {
                return spec;
            }

            @Override
            public void close()
            {
                resources.forEach(remove);
            }
        };
    }
}
