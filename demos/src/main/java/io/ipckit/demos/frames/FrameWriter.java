package io.ipckit.demos.frames;

import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Renders a moving pattern into a shared 2-D array at a fixed frame rate: one JVM writes the display matrix,
 * others ({@link FrameReader}) draw it, with no copy between them.
 */
@Command(name = "frame-writer", mixinStandardHelpOptions = true,
    description = "Render a moving pattern into a shared 2-D uint8 array at a fixed frame rate.")
public final class FrameWriter implements Callable<Integer>
{
    @Option(names = "--name", description = "Name of the shared array (default: ${DEFAULT-VALUE}).")
    String name = "frames";

    @Option(names = "--rows", description = "Rows of the display matrix (default: ${DEFAULT-VALUE}).")
    int rows = 10;

    @Option(names = "--cols", description = "Columns of the display matrix (default: ${DEFAULT-VALUE}).")
    int cols = 72;

    @Option(names = "--fps", description = "Frames per second (default: ${DEFAULT-VALUE}).")
    int fps = 60;

    @Option(names = "--frames", description = "Frames to render before stopping (default: ${DEFAULT-VALUE}).")
    int frames = 180;

    @Option(names = "--await-readers",
        description = "Readers to wait for before the first frame (default: ${DEFAULT-VALUE}).")
    int awaitReaders = 0;

    @Option(names = "--timeout-s",
        description = "Give up when the readers do not attach in time (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 60;

    /**
     * @param args picocli options, see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new FrameWriter()).execute(args));
    }

    /**
     * Waits for {@link #awaitReaders} readers to attach, renders {@link #frames} frames, then sets the done flag and
     * removes the shared arrays.
     *
     * @return 0, or 2 when the readers did not attach within the timeout.
     */
    @Override
    public Integer call()
    {
        try (SharedArray matrix = SharedArray.create(name, DType.UINT8, rows, cols);
             SharedArray control = SharedArray.create(FrameProtocol.controlName(name), DType.INT64,
                 FrameProtocol.CONTROL_LENGTH))
        {
            final long readersDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (FrameProtocol.readAtomically(control, FrameProtocol.READERS) < awaitReaders)
            {
                if (System.nanoTime() - readersDeadlineNs > 0)
                {
                    System.out.println("frame-writer: " + awaitReaders + " reader(s) did not attach to \"" + name +
                        "\" within " + timeoutSeconds + " s");
                    matrix.unlink();
                    control.unlink();
                    return 2;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            final byte[] frame = new byte[rows * cols];
            final long periodNs = TimeUnit.SECONDS.toNanos(1) / fps;
            final long start = System.nanoTime();
            for (int f = 1; f <= frames; f++)
            {
                render(frame, f);
                control.getAndAdd(FrameProtocol.SEQLOCK, 1);
                matrix.copyFrom(frame);
                control.setLong(FrameProtocol.CHECKSUM, FrameProtocol.checksum(frame));
                control.setLong(FrameProtocol.FRAMES, f);
                control.getAndAdd(FrameProtocol.SEQLOCK, 1);
                final long nextNs = start + f * periodNs;
                while (System.nanoTime() < nextNs)
                {
                    LockSupport.parkNanos(nextNs - System.nanoTime());
                }
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("frame-writer: %d frames of %dx%d in %.2f s (%.1f frames/s)%n",
                frames, rows, cols, seconds, frames / seconds);
            System.out.flush();
            control.getAndAdd(FrameProtocol.DONE, 1);
            matrix.unlink();
            control.unlink();
        }
        return 0;
    }

    private void render(final byte[] frame, final int f)
    {
        final double t = f * 0.15;
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                final double v = Math.sin(x * 0.18 + t) + Math.cos(y * 0.55 - t * 0.6) + Math.sin((x + y) * 0.07 + t * 0.3);
                frame[y * cols + x] = (byte)Math.min(255, Math.max(0, (int)((v + 3) / 6 * 255)));
            }
        }
    }
}
