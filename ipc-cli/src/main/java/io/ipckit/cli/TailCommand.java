package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.codec.Codecs;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.queue.AbstractSharedQueue;
import io.ipckit.queue.LifoQueue;
import io.ipckit.queue.QueueDescriptor;
import io.ipckit.queue.SharedPriorityQueue;
import io.ipckit.queue.SharedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ipckit tail NAME}: the last elements queued, without taking them (a non-consuming look through the
 * queue's own {@link AbstractSharedQueue#iterator() iterator}, which copies a snapshot under the consumer side's
 * lock for a moment, as {@code peek} does). Elements are shown as raw bytes: their length, a text preview when they
 * are printable UTF-8, and hex. For a log (ipc-durable's SharedLog, by path or by name under its default directory),
 * the last records through an anonymous reader ({@link Logs#tail}): no named reader moves.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Show the last elements of a queue, or the last records of a log (a path, or a name under " +
        "-Dipckit.durable.dir), without consuming them.")
final class TailCommand extends BaseCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The queue, or the log (name or directory).")
    String name;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
        description = "How many of the newest elements to show (default: ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--json", description = "Print a JSON array of {index, length, text, hex}.")
    boolean json;

    /**
     * @return {@link Ipckit#EXIT_OK}, or {@link Ipckit#EXIT_FAILURE} when the name is not a queue.
     */
    @Override
    public Integer call()
    {
        final java.nio.file.Path logDir = Logs.find(name);
        if (logDir != null)
        {
            return tailLog(logDir);
        }
        final ResourceInfo info = Resources.info(name, "tail");
        if (info.kind() != ResourceKind.QUEUE || info.state() != ResourceInfo.State.READY)
        {
            throw new IpcException("\"" + name + "\" is " + Resources.describe(info) + ", not a queue: tail reads " +
                "queues, and logs (by path, or by name under -Dipckit.durable.dir)");
        }
        final int variant;
        try (ResourceFile file = Resources.open(info))
        {
            variant = file.buffer().getInt(file.metadataOffset() + QueueDescriptor.VARIANT_OFFSET);
        }
        final List<byte[]> elements = new ArrayList<>();
        try (AbstractSharedQueue<byte[]> queue = open(variant))
        {
            final Iterator<byte[]> it = queue.iterator();
            while (it.hasNext())
            {
                elements.add(it.next());
            }
        }
        final List<Object> rows = new ArrayList<>();
        for (int i = Math.max(0, elements.size() - Math.max(0, lines)); i < elements.size(); i++)
        {
            final byte[] element = elements.get(i);
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", i);
            row.put("length", element.length);
            row.put("text", text(element));
            row.put("hex", hex(element, 64));
            rows.add(row);
        }
        if (json)
        {
            out().println(Json.write(rows));
            return Ipckit.EXIT_OK;
        }
        out().println(name + ": " + elements.size() + " queued (" + QueueDescriptor.variantName(variant) +
            ", in take order), showing the last " + rows.size());
        for (final Object item : rows)
        {
            @SuppressWarnings("unchecked") final Map<String, Object> row = (Map<String, Object>)item;
            out().println(String.format("%6d %6dB %s", (Integer)row.get("index"), (Integer)row.get("length"),
                row.get("text") != null ? "\"" + row.get("text") + "\"" : row.get("hex")));
        }
        return Ipckit.EXIT_OK;
    }

    private int tailLog(final java.nio.file.Path logDir)
    {
        final List<Map.Entry<Long, byte[]>> records;
        final long total;
        try (io.ipckit.durable.SharedLog<byte[]> log = Logs.open(logDir))
        {
            records = Logs.tail(log, lines);
            total = log.firstIndex() < 0 ? 0 : log.recordsFrom(log.firstIndex());
        }
        final List<Object> rows = new ArrayList<>();
        for (final Map.Entry<Long, byte[]> record : records)
        {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", record.getKey());
            row.put("length", record.getValue().length);
            row.put("text", text(record.getValue()));
            row.put("hex", hex(record.getValue(), 64));
            rows.add(row);
        }
        if (json)
        {
            out().println(Json.write(rows));
            return Ipckit.EXIT_OK;
        }
        out().println(logDir + ": a log of " + total + " records, showing the last " + rows.size() +
            " (index in hex)");
        for (final Object item : rows)
        {
            @SuppressWarnings("unchecked") final Map<String, Object> row = (Map<String, Object>)item;
            out().println(String.format("%12x %6dB %s", (Long)row.get("index"), (Integer)row.get("length"),
                row.get("text") != null ? "\"" + row.get("text") + "\"" : row.get("hex")));
        }
        return Ipckit.EXIT_OK;
    }

    private AbstractSharedQueue<byte[]> open(final int variant)
    {
        return switch (variant)
        {
            case QueueDescriptor.VARIANT_FIFO -> SharedQueue.open(name, Codecs.BYTES);
            case QueueDescriptor.VARIANT_LIFO -> LifoQueue.open(name, Codecs.BYTES);
            case QueueDescriptor.VARIANT_PRIORITY -> SharedPriorityQueue.open(name, Codecs.BYTES, (e) -> 0L);
            default -> throw new IpcException("\"" + name + "\" is a " + QueueDescriptor.variantName(variant) +
                ": this ipckit cannot read it");
        };
    }

    /**
     * @return the element as text when it is printable UTF-8 (tabs and newlines allowed), else null.
     */
    static String text(final byte[] element)
    {
        final String text = new String(element, StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), element))
        {
            return null;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t')
            {
                return null;
            }
        }
        return text;
    }

    private static String hex(final byte[] element, final int max)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(max, element.length); i++)
        {
            sb.append(String.format("%02x", element[i]));
        }
        return element.length > max ? sb.append("...").toString() : sb.toString();
    }
}
