package io.ipckit.demos.stream;

/**
 * A progress line printed at most once a second: messages so far and the rate since the last line.
 */
final class Progress
{
    private static final long INTERVAL_NS = 1_000_000_000L;

    private final String who;
    private final boolean quiet;
    private final long startNs = System.nanoTime();
    private long lastNs = startNs;
    private long lastMessages;
    private long lastBytes;

    Progress(final String who, final boolean quiet)
    {
        this.who = who;
        this.quiet = quiet;
    }

    void update(final long messages, final long bytes)
    {
        if ((messages & 1023) != 0 || quiet)
        {
            return;
        }
        final long now = System.nanoTime();
        if (now - lastNs >= INTERVAL_NS)
        {
            final double seconds = (now - lastNs) / 1e9;
            System.out.printf("%s: %,d messages, %,.0f msg/s, %.1f MB/s%n", who, messages,
                (messages - lastMessages) / seconds, (bytes - lastBytes) / seconds / 1e6);
            lastNs = now;
            lastMessages = messages;
            lastBytes = bytes;
        }
    }
}
