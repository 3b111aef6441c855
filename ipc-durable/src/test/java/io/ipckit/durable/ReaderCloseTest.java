package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.testing.Eventually;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reader closed while one of its reads is under way (from another thread, or from its own handler): the read
 * completes on memory that is still mapped, and the log's files are let go once it ends.
 */
@Timeout(60)
class ReaderCloseTest
{
    private static final Path MAPS = Path.of("/proc/self/maps");

    @RegisterExtension
    final LogDirectory logs = new LogDirectory();

    @Test
    void shouldKeepTheLogMappedUntilAHandlerRunningAtTheCloseReturns() throws Exception
    {
        assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps");
        final SharedLog<String> log = SharedLog.create(logs.resolve("running"), Codecs.STRING,
            new SharedLogOptions());
        log.append("held");
        final LogReader<String> reader = log.reader();
        final CountDownLatch inHandler = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);
        final AtomicBoolean stillMapped = new AtomicBoolean();
        final CompletableFuture<String> read = CompletableFuture.supplyAsync(() ->
        {
            final StringBuilder seen = new StringBuilder();
            final int count = reader.drain((buffer, offset, length) ->
            {
                inHandler.countDown();
                await(goOn);
                if (stillMapped.get()) // before the fix, reading here touched an unmapped page and killed the JVM
                {
                    seen.append(buffer.getStringWithoutLengthUtf8(offset, length));
                }
            }, 10);
            return count + ":" + seen;
        });
        assertTrue(inHandler.await(10, TimeUnit.SECONDS), "the handler ran");

        try
        {
            log.close();
            BackgroundResourceReleaser.releasePendingResources(); // Chronicle unmaps in the background otherwise
            stillMapped.set(!mappingsOf(logs.resolve("running")).isEmpty());
            assertTrue(stillMapped.get(), "the log's files were unmapped under a handler still reading its record");
        }
        finally
        {
            goOn.countDown();
        }

        assertEquals("1:held", read.get(10, TimeUnit.SECONDS));
        assertThrows(ResourceClosedException.class, reader::poll);
        Eventually.await("the log's files unmapped once the read ended", Duration.ofSeconds(10), () ->
        {
            BackgroundResourceReleaser.releasePendingResources();
            return mappingsOf(logs.resolve("running")).isEmpty();
        });
    }

    @Test
    void shouldLetAHandlerCloseItsOwnReader() throws Exception
    {
        try (SharedLog<String> log = SharedLog.create(logs.resolve("own"), Codecs.STRING, new SharedLogOptions()))
        {
            log.append("first");
            log.append("second");
            log.append("third");
            final LogReader<String> reader = log.reader();
            final List<String> seen = new ArrayList<>();
            final int count = reader.drain((buffer, offset, length) ->
            {
                reader.close();
                seen.add(buffer.getStringWithoutLengthUtf8(offset, length)); // still mapped after its own close
            }, 10);

            assertEquals(1, count, "records handled by the drain whose handler closed the reader");
            assertEquals(List.of("first"), seen);
            assertTrue(reader.isClosed());
            assertThrows(ResourceClosedException.class, reader::poll);
            try (LogReader<String> other = log.reader())
            {
                assertEquals("first", other.poll());
                assertEquals("second", other.poll());
                assertEquals("third", other.poll());
                assertNull(other.poll());
            }
            log.append("fourth");
        }
    }

    @Test
    void shouldLetAHandlerCloseItsLogWithoutWaitingForItself() throws Exception
    {
        final SharedLog<String> log = SharedLog.create(logs.resolve("waited"), Codecs.STRING, new SharedLogOptions());
        final LogReader<String> reader = log.reader();
        final CompletableFuture<Long> closeMs = new CompletableFuture<>();
        final CompletableFuture<Boolean> received = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                // the record comes after the reader began to wait: its handler runs inside the wait
                return reader.receive((buffer, offset, length) ->
                {
                    final long startNs = System.nanoTime();
                    log.close();
                    closeMs.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                }, 30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        Eventually.await("the reader waiting", Duration.ofSeconds(10), () -> log.sleepingReaders() == 1);
        log.append("late");

        assertTrue(received.get(20, TimeUnit.SECONDS));
        // before: the close waited its whole 5 s limit for its own thread to leave the wait
        assertTrue(closeMs.get() < 4_000, "the handler's close took " + closeMs.get() + " ms");
        assertTrue(log.isClosed() && reader.isClosed());
        assertThrows(ResourceClosedException.class, log::lastIndex);
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "the test let the handler go on");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static List<String> mappingsOf(final Path directory)
    {
        try (Stream<String> lines = Files.lines(MAPS))
        {
            final String path = directory.toRealPath() + "/"; // the maps name files by their real paths
            return lines.filter((line) -> line.contains(path)).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
