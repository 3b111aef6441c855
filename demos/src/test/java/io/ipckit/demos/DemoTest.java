package io.ipckit.demos;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.demos.examples.HelloTwoJvms;
import io.ipckit.demos.frames.FrameReader;
import io.ipckit.demos.frames.FrameWriter;
import io.ipckit.demos.stream.Consumer;
import io.ipckit.demos.stream.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldStreamAndVerifyMessagesBetweenProducerAndConsumerJvms() throws Exception
    {
        final Path consumerOut = dir.path().resolve("consumer.out");
        final JvmProcess consumer = dir.start(Consumer.class, new ProcessOptions()
            .args("--name", "stream", "--quiet", "--timeout-s", "60").redirectOutput(consumerOut).daemon(true));
        final JvmProcess producer = dir.start(Producer.class, new ProcessOptions()
            .args("--name", "stream", "--count", "20000", "--size", "100", "--ring-bytes", "4096", "--quiet")
            .redirectOutput(dir.path().resolve("producer.out")).daemon(true));
        assertTrue(producer.join(60, TimeUnit.SECONDS));
        assertTrue(consumer.join(60, TimeUnit.SECONDS));
        final String output = Files.readString(consumerOut);
        assertEquals(0, consumer.exitCode().getAsInt(), output);
        assertEquals(0, producer.exitCode().getAsInt());
        assertTrue(output.contains("received 20,000 of 20,000 messages"), output);
        assertTrue(output.contains("corrupt 0, out of order 0"), output);
        assertTrue(output.contains("VERIFIED 20000 messages"), output);
        assertEquals(List.of("consumer.out", "producer.out"), dir.list(), "the pipe is gone");
    }

    @Test
    void shouldShowTheWritersFramesInTheReader() throws Exception
    {
        final Path readerOut = dir.path().resolve("reader.out");
        final JvmProcess reader = dir.start(FrameReader.class, new ProcessOptions()
            .args("--name", "frames", "--draw-every-ms", "100").redirectOutput(readerOut).daemon(true));
        final JvmProcess writer = dir.start(FrameWriter.class, new ProcessOptions()
            .args("--name", "frames", "--frames", "40", "--fps", "60", "--rows", "6", "--cols", "20",
                "--await-readers", "1")
            .redirectOutput(dir.path().resolve("writer.out")).daemon(true));
        assertTrue(writer.join(60, TimeUnit.SECONDS));
        assertTrue(reader.join(60, TimeUnit.SECONDS));
        final String output = Files.readString(readerOut);
        assertEquals(0, reader.exitCode().getAsInt(), output);
        final Matcher summary = Pattern.compile("saw (\\d+) distinct frames of 40 written, 0 torn").matcher(output);
        assertTrue(summary.find(), output);
        assertTrue(Integer.parseInt(summary.group(1)) > 0);
        assertTrue(output.contains("frame "), "the reader drew frames: " + output);
        assertEquals(List.of("reader.out", "writer.out"), dir.list(), "the frame arrays are gone");
    }

    @Test
    void shouldRunTheReadmeExample() throws Exception
    {
        final HelloTwoJvms.Result result = HelloTwoJvms.run("hello");
        assertEquals(1, result.id());
        assertEquals("HELLO FROM " + ProcessHandle.current().pid(), result.upper());
        assertTrue(result.workerPid() != ProcessHandle.current().pid(), "answered by another JVM");
        assertEquals(List.of(), dir.list(), "the pipe is gone once both ends closed");
    }
}
