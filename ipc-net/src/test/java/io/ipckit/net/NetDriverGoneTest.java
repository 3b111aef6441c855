package io.ipckit.net;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.ipckit.net.NetTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An external media driver that dies under a connection of another JVM.
 */
class NetDriverGoneTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldFailTheCallsNotTheJvmWhenTheExternalDriverIsKilled() throws Exception
    {
        final String driverDir = dir.path().resolve("external-driver").toString();
        final Path driverOut = dir.path().resolve("driver.out");
        final Path clientOut = dir.path().resolve("client.out");
        final JvmProcess driver = dir.start(NetDriverPeer.class,
            new ProcessOptions().args("driver", driverDir).redirectOutput(driverOut));
        Eventually.await("the external driver up", Duration.ofSeconds(30), () -> read(driverOut).contains("DRIVER_UP"));
        final String address = "127.0.0.1:" + NetTesting.freePort();
        // the client's driver timeout short (Aeron's own property), so its client notices the driver's death fast
        final JvmProcess client = dir.start(NetDriverPeer.class, new ProcessOptions()
            .args("subscribe", driverDir, address).jvmOptions("-Daeron.driver.timeout=1000").redirectOutput(clientOut)
            .redirectErrorStream(true));
        try (NetConnection publication = NetPipe.publish(address, options(), 30, TimeUnit.SECONDS))
        {
            Eventually.await("the client subscribed", Duration.ofSeconds(30),
                () -> read(clientOut).contains("SUBSCRIBED"));
            driver.kill();
            assertTrue(client.join(30, TimeUnit.SECONDS), "the client ended");
            final String out = read(clientOut);
            assertEquals(NetDriverPeer.EXIT_DRIVER_GONE, client.exitCode().orElseThrow(), out);
            assertTrue(out.contains("DRIVER_GONE") && out.contains(driverDir), out);
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
