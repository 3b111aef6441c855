package io.ipckit.pipe;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.testing.IdleCpuWindow;
import io.ipckit.queue.SharedQueue;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link IdleEndTest}: blocks in one call on a pipe or queue the parent created, with an
 * {@link IdleCpuWindow} on the blocked thread. {@code main(mode, name, report)}, modes:
 * <ul>
 * <li>{@code recv}: end B of pipe {@code name}, blocked in {@code recvBytes} until the parent sends;</li>
 * <li>{@code send}: end B, its ring filled, blocked in {@code sendBytes} until the parent receives;</li>
 * <li>{@code take}: queue {@code name}, blocked in {@code poll} until the parent puts;</li>
 * <li>{@code put}: queue {@code name}, filled to its bound, blocked in {@code offer} until the parent takes.</li>
 * </ul>
 * Each first makes a short wait that times out (the wait path's classes load and link then), sets
 * {@link #READY_OFFSET}, blocks, and stores 1 at {@link #RESULT_OFFSET} when the blocked call succeeded.
 */
public final class IdleEndChild
{
    /** Offset of the child's "about to block" flag in the report. */
    static final int READY_OFFSET = 0;
    /** Offset of the blocked call's outcome: 1 when it succeeded. */
    static final int RESULT_OFFSET = 8;
    /** Offset of the {@link IdleCpuWindow}. */
    static final int WINDOW_OFFSET = 64;
    /** Length of the report file. */
    static final int REPORT_LENGTH = 4096;
    /** Length of the messages that fill the ring in {@code send} mode. */
    static final int FILL_MESSAGE_LENGTH = 1024;

    private IdleEndChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        try (MappedFile report = MappedFile.open(args[2]))
        {
            final AtomicBuffer buffer = report.buffer();
            final boolean succeeded = switch (mode)
            {
                case "recv" ->
                {
                    final Connection connection = Pipe.open(args[1]);
                    require(connection.recvBytes(300, TimeUnit.MILLISECONDS) == null);
                    final IdleCpuWindow window = ready(buffer);
                    final boolean received = connection.recvBytes(30, TimeUnit.SECONDS) != null;
                    window.join();
                    connection.close();
                    yield received;
                }
                case "send" ->
                {
                    final Connection connection = Pipe.open(args[1]);
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[FILL_MESSAGE_LENGTH]);
                    while (connection.sendBytes(message, 0, FILL_MESSAGE_LENGTH, 0, TimeUnit.NANOSECONDS))
                    {
                        message.putLong(0, message.getLong(0) + 1);
                    }
                    require(!connection.sendBytes(message, 0, FILL_MESSAGE_LENGTH, 300, TimeUnit.MILLISECONDS));
                    final IdleCpuWindow window = ready(buffer);
                    final boolean sent = connection.sendBytes(message, 0, FILL_MESSAGE_LENGTH, 30, TimeUnit.SECONDS);
                    window.join();
                    connection.close();
                    yield sent;
                }
                case "take" ->
                {
                    try (SharedQueue<byte[]> queue = SharedQueue.open(args[1], Codecs.BYTES))
                    {
                        require(queue.poll(300, TimeUnit.MILLISECONDS) == null);
                        final IdleCpuWindow window = ready(buffer);
                        final boolean taken = queue.poll(30, TimeUnit.SECONDS) != null;
                        window.join();
                        yield taken;
                    }
                }
                case "put" ->
                {
                    try (SharedQueue<byte[]> queue = SharedQueue.open(args[1], Codecs.BYTES))
                    {
                        while (queue.offer(new byte[8]))
                        {
                            // fill the queue to its element bound
                        }
                        require(!queue.offer(new byte[8], 300, TimeUnit.MILLISECONDS));
                        final IdleCpuWindow window = ready(buffer);
                        final boolean put = queue.offer(new byte[8], 30, TimeUnit.SECONDS);
                        window.join();
                        yield put;
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            buffer.putLongVolatile(RESULT_OFFSET, succeeded ? 1 : 0);
        }
    }

    private static IdleCpuWindow ready(final AtomicBuffer buffer)
    {
        final IdleCpuWindow window = IdleCpuWindow.startForCurrentThread(buffer, WINDOW_OFFSET);
        buffer.putLongVolatile(READY_OFFSET, 1);
        return window;
    }

    private static void require(final boolean warmUpTimedOut)
    {
        if (!warmUpTimedOut)
        {
            throw new IllegalStateException("the warm-up wait should have timed out: the parent gives nothing yet");
        }
    }
}
