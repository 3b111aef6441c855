package io.ipckit.shm.list;

import io.ipckit.core.exceptions.IpcException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Opens a resource again and again while another thread cuts its file short in the middle of each open, as another
 * process truncating it would, then writes it back: for tests that an open path refuses such a file with an
 * {@link IpcException} and keeps no mapping of it. Each round the cut comes after a random part of the time the last
 * uncut open took, so the cuts spread over the open's reads.
 */
final class TruncationRace
{
    private static final long ROUND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int WARM_UP_OPENS = 20;

    /**
     * What the opens gave.
     *
     * @param rounds     how many opens ran, each with one cut.
     * @param unexpected every open failure that was not an {@link IpcException}.
     * @param mappings   the mappings of the file this process still holds after the race (every handle closed).
     */
    record Outcome(int rounds, List<Throwable> unexpected, long mappings)
    {
        /**
         * @return the counts, and the first unexpected failure with its stack, for an assertion's message.
         */
        String describe()
        {
            final StringBuilder text = new StringBuilder().append(unexpected.size()).append(" of ").append(rounds)
                .append(" opens failed with other than an IpcException; ").append(mappings).append(" mappings left");
            if (!unexpected.isEmpty())
            {
                final StringWriter trace = new StringWriter();
                unexpected.getFirst().printStackTrace(new PrintWriter(trace));
                text.append("; the first: ").append(trace);
            }
            return text.toString();
        }
    }

    private TruncationRace()
    {
    }

    /**
     * Runs {@code rounds} opens of {@code name}, each handle closed at once; during each, the file at {@code file} is
     * cut to {@code shortLength} bytes, and after it restored: its bytes up to {@code restoreEnd} written back and the
     * rest zeros up to its old length (writing back only what an open reads keeps the rounds short).
     *
     * @param file        the resource's file.
     * @param name        the resource's name.
     * @param shortLength the length it is cut to.
     * @param restoreEnd  the end of the bytes written back after each cut.
     * @param rounds      how many opens to run.
     * @param open        opens the resource by name.
     * @return the outcome.
     * @throws InterruptedException when interrupted waiting for the cutting thread.
     */
    static Outcome run(
        final Path file, final String name, final int shortLength, final int restoreEnd, final int rounds,
        final Function<String, AutoCloseable> open) throws InterruptedException
    {
        final byte[] whole;
        try
        {
            whole = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final AtomicLong openNs = new AtomicLong(Long.MAX_VALUE);
        for (int i = 0; i < WARM_UP_OPENS; i++)
        {
            openNs.set(Math.min(openNs.get(), timeOfOneOpen(name, open)));
        }
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger restored = new AtomicInteger();
        final AtomicReference<Throwable> cutterFailure = new AtomicReference<>();
        final Thread cutter = Thread.ofPlatform().name("cutter").start(() ->
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
            {
                final ByteBuffer restore = ByteBuffer.allocateDirect(restoreEnd - shortLength)
                    .put(whole, shortLength, restoreEnd - shortLength);
                final ByteBuffer last = ByteBuffer.allocateDirect(1).put(whole[whole.length - 1]);
                for (int round = 1; round <= rounds; round++)
                {
                    final int current = round;
                    await("open " + round + " to start", () -> started.get() >= current);
                    final long cutAtNs = System.nanoTime() + ThreadLocalRandom.current().nextLong(openNs.get() + 1);
                    while (System.nanoTime() - cutAtNs < 0)
                    {
                        Thread.onSpinWait();
                    }
                    channel.truncate(shortLength);
                    channel.write(restore.clear(), shortLength);
                    channel.write(last.clear(), whole.length - 1);
                    restored.set(round);
                }
            }
            catch (final Throwable ex)
            {
                cutterFailure.set(ex);
            }
        });
        final List<Throwable> unexpected = new ArrayList<>();
        try
        {
            for (int round = 1; round <= rounds && cutterFailure.get() == null; round++)
            {
                started.set(round);
                final long startNs = System.nanoTime();
                try (AutoCloseable ignored = open.apply(name))
                {
                    final long tookNs = System.nanoTime() - startNs;
                    if (restored.get() < round)
                    {
                        openNs.set(tookNs); // opened before the cut: the time a whole open takes now
                    }
                }
                catch (final IpcException expected)
                {
                    // refused: cut short, or caught half-restored
                }
                catch (final Throwable ex)
                {
                    unexpected.add(ex);
                }
                final int current = round;
                await("the file to be restored after round " + round,
                    () -> restored.get() >= current || cutterFailure.get() != null);
            }
        }
        finally
        {
            cutter.interrupt();
            cutter.join();
        }
        if (cutterFailure.get() != null)
        {
            throw new IllegalStateException("the cutting thread failed", cutterFailure.get());
        }
        return new Outcome(rounds, unexpected, mappingsOf(file));
    }

    private static long timeOfOneOpen(final String name, final Function<String, AutoCloseable> open)
    {
        final long startNs = System.nanoTime();
        try (AutoCloseable ignored = open.apply(name))
        {
            return System.nanoTime() - startNs;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("the whole file does not open", ex);
        }
    }

    private static void await(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + ROUND_TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0 || Thread.currentThread().isInterrupted())
            {
                throw new IllegalStateException("gave up waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static long mappingsOf(final Path file)
    {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps")))
        {
            return lines.filter((line) -> line.contains(file.toString())).count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
