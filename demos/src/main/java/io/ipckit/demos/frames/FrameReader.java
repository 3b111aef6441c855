package io.ipckit.demos.frames;

import io.ipckit.core.SharedDirectory;
import io.ipckit.shm.array.SharedArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Draws the display matrix that {@link FrameWriter} renders in another JVM, reading it straight from shared
 * memory. Verifies every frame it copies against the writer's checksum, and reports how many distinct frames it
 * saw.
 */
@Command(name = "frame-reader", mixinStandardHelpOptions = true,
    description = "Draw a shared 2-D uint8 array that another JVM renders, in the terminal.")
public final class FrameReader implements Callable<Integer>
{
    private static final char[] SHADES = " .:-=+*#%@".toCharArray();

    @Option(names = "--name", description = "Name of the shared array (default: ${DEFAULT-VALUE}).")
    String name = "frames";

    @Option(names = "--draw-every-ms", description = "Draw a frame at most this often, 0 to never draw (default: ${DEFAULT-VALUE}).")
    long drawEveryMs = 50;

    @Option(names = "--timeout-s", description = "Give up when the writer does not appear or finish in time (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 60;

    /**
     * @param args picocli options, see {@code --help}.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new FrameReader()).execute(args));
    }

    /**
     * Reads frames until the writer is done.
     *
     * @return 0 when every frame copied matched its checksum, 1 on a torn frame, 2 on a timeout.
     */
    @Override
    public Integer call()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!SharedDirectory.exists(FrameProtocol.controlName(name)))
        {
            if (System.nanoTime() > deadline)
            {
                System.out.println("frame-reader: no writer created \"" + name + "\" within " + timeoutSeconds + " s");
                return 2;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        try (SharedArray control = SharedArray.open(FrameProtocol.controlName(name));
             SharedArray matrix = SharedArray.open(name))
        {
            control.getAndAdd(FrameProtocol.READERS, 1);
            final int rows = (int)matrix.shape(0);
            final int cols = (int)matrix.shape(1);
            final byte[] frame = new byte[rows * cols];
            final boolean terminal = System.console() != null;
            long lastFrame = 0;
            long distinct = 0;
            long bad = 0;
            long lastDrawNs = 0;
            boolean done = false;
            while (!done)
            {
                // the frame read after the done flag is the writer's last one, so a late reader still sees it
                done = FrameProtocol.readAtomically(control, FrameProtocol.DONE) != 0;
                if (!done && System.nanoTime() > deadline)
                {
                    System.out.println("frame-reader: the writer did not finish within " + timeoutSeconds + " s");
                    return 2;
                }
                final long before = FrameProtocol.readAtomically(control, FrameProtocol.SEQLOCK);
                if ((before & 1) != 0)
                {
                    Thread.onSpinWait();
                    continue;
                }
                matrix.copyTo(frame);
                final long frameNumber = control.getLong(FrameProtocol.FRAMES);
                final long checksum = control.getLong(FrameProtocol.CHECKSUM);
                if (FrameProtocol.readAtomically(control, FrameProtocol.SEQLOCK) != before)
                {
                    continue;
                }
                if (frameNumber == lastFrame)
                {
                    if (!done)
                    {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                    }
                    continue;
                }
                lastFrame = frameNumber;
                distinct++;
                if (frameNumber > 0 && FrameProtocol.checksum(frame) != checksum)
                {
                    bad++;
                }
                if (drawEveryMs > 0 && System.nanoTime() - lastDrawNs > TimeUnit.MILLISECONDS.toNanos(drawEveryMs))
                {
                    lastDrawNs = System.nanoTime();
                    draw(frame, rows, cols, frameNumber, terminal);
                }
            }
            final long written = control.getLong(FrameProtocol.FRAMES);
            System.out.printf("frame-reader: saw %d distinct frames of %d written, %d torn%n", distinct, written, bad);
            return bad == 0 && distinct > 0 ? 0 : 1;
        }
    }

    private static void draw(final byte[] frame, final int rows, final int cols, final long frameNumber, final boolean terminal)
    {
        final StringBuilder sb = new StringBuilder((cols + 1) * (rows + 2));
        if (terminal)
        {
            sb.append("\033[H\033[2J");
        }
        sb.append("frame ").append(frameNumber).append('\n');
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                sb.append(SHADES[(frame[y * cols + x] & 0xFF) * SHADES.length / 256]);
            }
            sb.append('\n');
        }
        System.out.print(sb);
        System.out.flush();
    }
}
