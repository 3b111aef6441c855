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
     * Stops what was started and deletes every file created; idempotent.
     */
    @Override
    void close();
}
