package io.ipckit.manager.internal;

import io.ipckit.core.SharedDirectory;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.Manager;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.connection.Client;
import io.ipckit.manager.connection.FrameConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A local client that asks for a pipe and hangs up before attaching it: the manager removes the pipe it offered.
 * Closing its end alone left the file, whose other end was never opened, for as long as the manager ran.
 */
@Timeout(60)
class PipeOfferTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRemoveAnOfferedPipeTheClientNeverAttached() throws Exception
    {
        try (Manager manager = Manager.start("offer", new ManagerOptions()))
        {
            final byte[] key = Files.readAllBytes(SharedDirectory.resolve("manager-offer.key"));
            final String link;
            try (FrameConnection raw = Client.connect(
                UnixDomainSocketAddress.of(SharedDirectory.resolve("manager-offer.sock")), key))
            {
                final ProcessIdentity self = ProcessIdentity.current();
                final Wire.Out hello = new Wire.Out(Wire.HELLO).putLong(self.pid()).putLong(self.startTime())
                    .putByte(FastPath.LOCAL_WITH_PIPE).putLong(1);
                raw.sendBytes(hello.array(), 0, hello.size());
                final ByteBuffer welcome = ByteBuffer.wrap(raw.recvBytes());
                assertEquals(Wire.WELCOME, welcome.get());
                Wire.getString(welcome); // the manager's id
                welcome.get(); // durable
                assertEquals(1, welcome.get(), "the manager offers a pipe");
                link = Wire.getString(welcome);
                assertTrue(linkFiles().contains(link), "the offered pipe's file: " + linkFiles());
            } // hangs up instead of answering ATTACH
            Eventually.await("the offered pipe " + link + " removed", Duration.ofSeconds(20),
                () -> !linkFiles().contains(link));
            assertEquals("still here", manager.dict().computeIfAbsent("k", (k) -> "still here"),
                "the manager keeps serving");
        }
    }

    private static List<String> linkFiles()
    {
        try (Stream<java.nio.file.Path> entries = Files.list(SharedDirectory.path()))
        {
            return entries.map((entry) -> entry.getFileName().toString())
                .filter((name) -> name.startsWith("manager-link-")).toList();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
