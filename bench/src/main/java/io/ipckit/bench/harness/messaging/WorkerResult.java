package io.ipckit.bench.harness.messaging;

import io.ipckit.core.exceptions.IpcException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Properties;
import java.util.zip.DataFormatException;

/**
 * What a worker process reports to the harness: a small properties file written atomically when it finishes.
 */
public final class WorkerResult
{
    /** Messages sent (producer, ping) or received (consumer, pong). */
    public static final String COUNT = "count";
    /** Sum of the checksums of the messages received. */
    public static final String CHECKSUM = "checksum";
    /** {@link System#nanoTime()} at the start of the measured window. */
    public static final String WINDOW_START_NS = "windowStartNs";
    /** {@link System#nanoTime()} at the end of the measured window. */
    public static final String WINDOW_END_NS = "windowEndNs";
    /** Messages received within the window. */
    public static final String WINDOW_COUNT = "windowCount";
    /** CPU time of the worker's process (all its threads) over its measured part, in nanoseconds. */
    public static final String CPU_NS = "cpuNs";
    /** Messages the worker sent or received over the part {@link #CPU_NS} covers. */
    public static final String CPU_COUNT = "cpuCount";
    /** The round-trip histogram, compressed and base64 encoded. */
    public static final String HISTOGRAM = "histogram";
    /** Why the worker failed. */
    public static final String ERROR = "error";
    /** "true" when the failure was a verification failure. */
    public static final String VERIFICATION_FAILED = "verificationFailed";

    private final Properties properties;

    private WorkerResult(final Properties properties)
    {
        this.properties = properties;
    }

    /**
     * @return an empty result to fill.
     */
    public static WorkerResult empty()
    {
        return new WorkerResult(new Properties());
    }

    /**
     * Reads a result file.
     *
     * @param path the file.
     * @return the result.
     * @throws IpcException when it cannot be read (the worker died before writing it).
     */
    public static WorkerResult read(final Path path)
    {
        final Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(path))
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new IpcException("the worker wrote no result to " + path + ": " + ex, ex);
        }
        return new WorkerResult(properties);
    }

    /**
     * Writes the result atomically (a temporary file renamed).
     *
     * @param path the file.
     */
    public void write(final Path path)
    {
        final Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        try
        {
            try (Writer out = Files.newBufferedWriter(temporary))
            {
                properties.store(out, null);
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new IpcException("cannot write the worker result " + path + ": " + ex, ex);
        }
    }

    /**
     * @param key   a key.
     * @param value its value.
     * @return this.
     */
    public WorkerResult put(final String key, final long value)
    {
        properties.setProperty(key, Long.toString(value));
        return this;
    }

    /**
     * @param key   a key.
     * @param value its value.
     * @return this.
     */
    public WorkerResult put(final String key, final String value)
    {
        properties.setProperty(key, value);
        return this;
    }

    /**
     * @param key a key.
     * @return its value.
     * @throws IpcException when absent.
     */
    public long getLong(final String key)
    {
        final String value = properties.getProperty(key);
        if (value == null)
        {
            throw new IpcException("the worker result has no \"" + key + "\": " + properties);
        }
        return Long.parseLong(value);
    }

    /**
     * @param key a key.
     * @return its value, or null.
     */
    public String get(final String key)
    {
        return properties.getProperty(key);
    }

    /**
     * @param histogram a histogram to store under {@link #HISTOGRAM}.
     * @return this.
     */
    public WorkerResult putHistogram(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        final byte[] bytes = new byte[length];
        buffer.flip().get(bytes);
        return put(HISTOGRAM, Base64.getEncoder().encodeToString(bytes));
    }

    /**
     * @return the histogram stored under {@link #HISTOGRAM}.
     * @throws IpcException when absent or undecodable.
     */
    public Histogram histogram()
    {
        final String encoded = properties.getProperty(HISTOGRAM);
        if (encoded == null)
        {
            throw new IpcException("the worker result has no histogram: " + properties.stringPropertyNames());
        }
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
        }
        catch (final DataFormatException ex)
        {
            throw new IpcException("the worker's histogram cannot be decoded: " + ex, ex);
        }
    }
}
