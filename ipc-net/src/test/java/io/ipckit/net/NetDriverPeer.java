package io.ipckit.net;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ipckit.core.exceptions.IpcException;

import java.util.concurrent.TimeUnit;

/**
 * The child JVMs of {@link NetDriverGoneTest}. {@code NetDriverPeer driver <dir>} runs an external Aeron media
 * driver in {@code dir}, prints {@code DRIVER_UP} and runs until killed. {@code NetDriverPeer subscribe <dir>
 * <address>} subscribes to {@code address} through the driver in {@code dir}, prints {@code SUBSCRIBED}, then
 * receives; it prints how the receive ended and exits with {@link #EXIT_DRIVER_GONE} when it was the driver's
 * end, {@link #EXIT_OTHER} otherwise.
 */
public final class NetDriverPeer
{
    /** Exit status when the receive failed naming the driver. */
    static final int EXIT_DRIVER_GONE = 4;
    /** Exit status when the receive ended otherwise. */
    static final int EXIT_OTHER = 1;

    private NetDriverPeer()
    {
    }

    /**
     * @param args mode, driver directory, then the address for {@code subscribe}.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        if ("driver".equals(args[0]))
        {
            try (MediaDriver ignored = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(args[1])
                .dirDeleteOnStart(true)
                .threadingMode(ThreadingMode.SHARED)
                .termBufferSparseFile(true)
                .printConfigurationOnStart(false)))
            {
                System.out.println("DRIVER_UP");
                System.out.flush();
                Thread.currentThread().join();
            }
            return;
        }
        final NetOptions options = NetTesting.options().embeddedDriver(false).driverDirectory(args[1]);
        try (NetConnection connection = NetPipe.subscribe(args[2], options, 30, TimeUnit.SECONDS))
        {
            System.out.println("SUBSCRIBED");
            System.out.flush();
            connection.recvBytes(30, TimeUnit.SECONDS);
            System.out.println("RECEIVED");
            System.exit(EXIT_OTHER);
        }
        catch (final IpcException ex)
        {
            System.out.println((ex.getMessage().contains("media driver") ? "DRIVER_GONE " : "OTHER ") + ex);
            System.out.flush();
            System.exit(ex.getMessage().contains("media driver") ? EXIT_DRIVER_GONE : EXIT_OTHER);
        }
    }
}
