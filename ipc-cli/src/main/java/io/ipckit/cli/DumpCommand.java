package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ipckit dump NAME}: the header's fields by name, the layout's counters, then the kind-specific metadata and
 * the start of the data in hex (where nothing better fits). Works on raw and corrupt files too (then everything is
 * hex): it reads the file with positioned reads and never maps or validates it first.
 * <p>
 * Not thread-safe (a picocli command object).
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print a resource's header and layout fields, and its metadata and first data bytes in hex.")
final class DumpCommand extends BaseCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "NAME", description = "The resource.")
    String name;

    @Option(names = "--bytes", paramLabel = "N", defaultValue = "256",
        description = "Data bytes to print in hex (default: ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = "--json", description = "Print a JSON object (hex as strings).")
    boolean json;

    /**
     * @return {@link Ipckit#EXIT_OK}, or {@link Ipckit#EXIT_FAILURE} when the name does not exist.
     */
    @Override
    public Integer call()
    {
        final ResourceInfo info = Resources.info(name, "dump");
        final Map<String, Object> out = new LinkedHashMap<>(Resources.toMap(info, System.currentTimeMillis()));
        final int headerLength;
        if (info.state() == ResourceInfo.State.READY)
        {
            try (ResourceFile file = Resources.open(info))
            {
                headerLength = file.headerLength();
                final Map<String, Object> header = new LinkedHashMap<>();
                header.put("magic", "0x" + Long.toHexString(ResourceHeaderDescriptor.MAGIC) + " (IPCKIT.1)");
                header.put("kindCode", info.kindCode());
                header.put("headerLength", headerLength);
                header.put("flags", file.buffer().getInt(ResourceHeaderDescriptor.FLAGS_OFFSET));
                header.put("totalLength", file.buffer().getLong(ResourceHeaderDescriptor.TOTAL_LENGTH_OFFSET));
                header.put("ready", "0x" + Integer.toHexString(
                    file.buffer().getIntAcquire(ResourceHeaderDescriptor.READY_OFFSET)));
                out.put("header", header);
                final Map<String, Object> layout = LayoutReader.read(file);
                if (!layout.isEmpty())
                {
                    out.put("layout", layout);
                }
            }
        }
        else
        {
            headerLength = 0;
        }
        final byte[] head = read(headerLength + Math.max(0, bytes), info.sizeBytes());
        if (headerLength > ResourceHeaderDescriptor.COMMON_HEADER_LENGTH)
        {
            out.put("metadataHex", hex(head, ResourceHeaderDescriptor.COMMON_HEADER_LENGTH, headerLength));
        }
        out.put(headerLength == 0 ? "fileHex" : "dataHex", hex(head, headerLength, head.length));
        if (json)
        {
            out().println(Json.write(out));
        }
        else
        {
            final StringBuilder sb = new StringBuilder();
            Style.tree(out, "", sb);
            out().print(sb);
        }
        return Ipckit.EXIT_OK;
    }

    private byte[] read(final long want, final long size)
    {
        final int length = (int)Math.min(want, size);
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(SharedDirectory.resolve(name), StandardOpenOption.READ))
        {
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0)
            {
                // until the end of the file or of what was asked
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read \"" + name + "\": " + ex.getMessage(), ex);
        }
        final byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }

    /**
     * @return lines of {@code offset: 16 bytes in hex  |printable|}, offsets from the start of the file; runs of
     * all-zero lines collapse into one {@code *} line, as {@code hexdump} does.
     */
    static String hex(final byte[] bytes, final int from, final int to)
    {
        final StringBuilder sb = new StringBuilder("\n");
        boolean skipping = false;
        for (int line = from; line < to; line += 16)
        {
            final int end = Math.min(line + 16, to);
            boolean zero = true;
            for (int i = line; i < end; i++)
            {
                zero &= bytes[i] == 0;
            }
            if (zero && line > from && end < to)
            {
                if (!skipping)
                {
                    sb.append("*\n");
                    skipping = true;
                }
                continue;
            }
            skipping = false;
            sb.append(String.format("%08x: ", line));
            final StringBuilder text = new StringBuilder();
            for (int i = line; i < line + 16; i++)
            {
                if (i < end)
                {
                    sb.append(String.format("%02x ", bytes[i]));
                    text.append(bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.');
                }
                else
                {
                    sb.append("   ");
                }
            }
            sb.append(" |").append(text).append("|\n");
        }
        return sb.toString();
    }
}
