package io.ipckit.core.testing;

import io.ipckit.core.internal.wait.NativeBinding;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures the CPU a thread of a child JVM uses while it is blocked, over a window the parent marks: the child starts a
 * monitor for its waiting thread ({@link #startForCurrentThread}) just before it blocks, and the parent
 * {@link #measure measures} once it sees the thread blocked. A monitor thread takes the readings, as the blocked thread
 * cannot. The words live at {@code offset} in a file both map, {@link #LENGTH} bytes:
 * <pre>
 *   request (parent: 1 = start, 2 = end) | acknowledgement (child) | CPU ns of the window | wall ns of the window
 * </pre>
 * The bound is per 2 s blocked; a window a loaded machine stretched is scaled back to 2 s.
 * <p>
 * The window measures a blocked thread, not a JVM's start: until a JVM's futex call is bound ({@link NativeBinding},
 * 150 ms after its first wait and then tens of milliseconds, more on a loaded machine), its waits poll with short
 * parks. The child's monitor starts only once the call is bound.
 */
public final class IdleCpuWindow
{
    /** Bytes of the window's words. */
    public static final int LENGTH = 32;
    private static final int REQUEST_OFFSET = 0;
    private static final int ACK_OFFSET = 8;
    private static final int CPU_NS_OFFSET = 16;
    private static final int WALL_NS_OFFSET = 24;

    private final Thread monitor;
    private volatile Throwable failure;

    private IdleCpuWindow(final AtomicBuffer buffer, final int offset, final long waiterId)
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        monitor = new Thread(() ->
        {
            try
            {
                awaitRequest(buffer, offset, 1);
                final long cpuStartNs = threads.getThreadCpuTime(waiterId);
                final long wallStartNs = System.nanoTime();
                buffer.putLongVolatile(offset + ACK_OFFSET, 1);
                awaitRequest(buffer, offset, 2);
                buffer.putLong(offset + CPU_NS_OFFSET, threads.getThreadCpuTime(waiterId) - cpuStartNs);
                buffer.putLong(offset + WALL_NS_OFFSET, System.nanoTime() - wallStartNs);
                buffer.putLongVolatile(offset + ACK_OFFSET, 2);
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }, "idle-window-monitor");
        monitor.setDaemon(true);
    }

    /**
     * Child side: waits until this JVM's futex call is bound, then starts the monitor of the calling thread, which is
     * about to block.
     *
     * @param buffer the shared file's buffer.
     * @param offset where the window's words are.
     * @return the window, to {@link #join()} after the wait.
     */
    public static IdleCpuWindow startForCurrentThread(final AtomicBuffer buffer, final int offset)
    {
        NativeBinding.instance().bindSoon();
        Eventually.await("this JVM's futex call bound", Duration.ofSeconds(30), NativeBinding.instance()::isBound);
        final IdleCpuWindow window = new IdleCpuWindow(buffer, offset, Thread.currentThread().threadId());
        window.monitor.start();
        return window;
    }

    /**
     * Child side: waits for the monitor to have measured the window.
     *
     * @throws IllegalStateException when the parent never marked the window.
     */
    public void join() throws InterruptedException
    {
        monitor.join(TimeUnit.SECONDS.toMillis(60));
        if (monitor.isAlive() || failure != null)
        {
            throw new IllegalStateException("the idle window was not measured", failure);
        }
    }

    /**
     * Parent side, while the child's thread is blocked: marks a window of {@code idle} and returns when the child has
     * recorded it.
     *
     * @param buffer the shared file's buffer.
     * @param offset where the window's words are.
     * @param idle   the measured idle period.
     */
    public static void measure(final AtomicBuffer buffer, final int offset, final Duration idle)
        throws InterruptedException
    {
        measure(java.util.List.of(buffer), offset, idle);
    }

    /**
     * Parent side, while the threads of several children are blocked: marks one window of {@code idle} for all of
     * them at once (each child's words at {@code offset} in its own file) and returns when each has recorded it. Idle
     * children do not compete for the CPU, so measuring them together measures each as alone, in the time of one.
     *
     * @param buffers the shared files' buffers, one per child.
     * @param offset  where the window's words are in each.
     * @param idle    the measured idle period.
     */
    public static void measure(final java.util.List<AtomicBuffer> buffers, final int offset, final Duration idle)
        throws InterruptedException
    {
        for (final AtomicBuffer buffer : buffers)
        {
            request(buffer, offset, 1);
        }
        Thread.sleep(idle.toMillis()); // the measured idle period itself, not a wait for a condition
        for (final AtomicBuffer buffer : buffers)
        {
            request(buffer, offset, 2);
        }
    }

    /**
     * Parent side, after {@link #measure}: asserts the child's thread used less than {@code boundMsPer2s} of CPU per
     * 2 s of the window, and prints the figure.
     *
     * @param buffer       the shared file's buffer.
     * @param offset       where the window's words are.
     * @param boundMsPer2s the bound.
     * @param what         the blocked call, for the messages.
     */
    public static void assertCpuBelow(
        final AtomicBuffer buffer, final int offset, final double boundMsPer2s, final String what)
    {
        assertCpuBelow(buffer.getLongVolatile(offset + CPU_NS_OFFSET), buffer.getLongVolatile(offset + WALL_NS_OFFSET),
            boundMsPer2s, what);
    }

    /**
     * Asserts that {@code cpuNs} of CPU over a window of {@code wallNs}, at least 2 s, is less than
     * {@code boundMsPer2s} per 2 s, and prints the figure. For measurements taken otherwise than by a window (the
     * threads of this JVM, or the kernel's run time of another process's threads).
     *
     * @param cpuNs        the CPU used over the window.
     * @param wallNs       the window's length.
     * @param boundMsPer2s the bound.
     * @param what         what was idle, for the messages.
     */
    public static void assertCpuBelow(final long cpuNs, final long wallNs, final double boundMsPer2s, final String what)
    {
        final long wallMs = TimeUnit.NANOSECONDS.toMillis(wallNs);
        final double cpuMsPer2s = cpuNs / 1e6 * 2_000.0 / (wallNs / 1e6);
        System.out.printf("%s: %.2f ms CPU per 2 s (%d ms CPU in %d ms)%n", what, cpuMsPer2s,
            TimeUnit.NANOSECONDS.toMillis(cpuNs), wallMs);
        assertTrue(wallMs >= 2_000, "measured over " + wallMs + " ms");
        assertTrue(cpuMsPer2s < boundMsPer2s, what + " used " + String.format("%.1f", cpuMsPer2s) +
            " ms of CPU per 2 s (bound: " + boundMsPer2s + " ms)");
    }

    private static void request(final AtomicBuffer buffer, final int offset, final long request)
    {
        buffer.putLongVolatile(offset + REQUEST_OFFSET, request);
        Eventually.await("the child acknowledged window request " + request, Duration.ofSeconds(30),
            () -> buffer.getLongVolatile(offset + ACK_OFFSET) == request);
    }

    private static void awaitRequest(final AtomicBuffer buffer, final int offset, final long request)
    {
        Eventually.await("the parent's window request " + request, Duration.ofSeconds(60),
            () -> buffer.getLongVolatile(offset + REQUEST_OFFSET) == request);
    }
}
