package io.ipckit.pipe;

import io.ipckit.core.exceptions.PeerGoneException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class PeerGoneEventTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldRecordAPeerGoneEventWhenTheOtherEndsProcessIsKilled() throws Exception
    {
        final Path jfr = dir.path().resolve("peer-gone.jfr");
        final Path out = dir.path().resolve("hold.out");
        try (Connection a = Pipe.create("gone"); Recording recording = new Recording())
        {
            recording.enable("io.ipckit.PeerGone");
            recording.start();
            final JvmProcess holder = dir.start(PipeChildMain.class,
                new ProcessOptions().args("hold", "gone").redirectOutput(out));
            Eventually.await("holder opened end B", Duration.ofSeconds(30), () -> opened(out));
            holder.kill();
            assertTrue(holder.join(30, TimeUnit.SECONDS));
            assertThrows(PeerGoneException.class, () -> a.recvBytes(30, TimeUnit.SECONDS));
            recording.stop();
            recording.dump(jfr);
            final List<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()
                .filter((e) -> e.getEventType().getName().equals("io.ipckit.PeerGone")).toList();
            assertEquals(1, events.size(), "one event for the one PeerGoneException: " + events);
            assertEquals(holder.pid(), events.get(0).getLong("deadPid"));
            assertEquals("receive", events.get(0).getString("direction"));
            assertTrue(events.get(0).getString("resource").contains("gone"), events.get(0).getString("resource"));
        }
        finally
        {
            Files.deleteIfExists(jfr);
            Files.deleteIfExists(out);
        }
    }

    private static boolean opened(final Path file)
    {
        try
        {
            return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains("OPEN");
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }
}
