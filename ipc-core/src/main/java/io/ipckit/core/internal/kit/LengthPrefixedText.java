package io.ipckit.core.internal.kit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A string in a {@code Data*Stream} as its UTF-8 length and bytes: {@code writeUTF} refuses strings over 64 KiB (a
 * class path may be longer), and a length read back is checked against what the stream holds, so a garbled one fails
 * with a message instead of allocating.
 * <p>
 * Stateless and thread-safe.
 */
public final class LengthPrefixedText
{
    private LengthPrefixedText()
    {
    }

    /**
     * @param out  where to write.
     * @param text the string, not null.
     * @throws IOException when the stream refuses it.
     */
    public static void write(final DataOutputStream out, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /**
     * @param in a stream over bytes in memory, whose {@code available()} is what it holds.
     * @return the string {@link #write} wrote.
     * @throws IOException when the length is negative or longer than what is left, or the stream ends.
     */
    public static String read(final DataInputStream in) throws IOException
    {
        final int length = in.readInt();
        if (length < 0 || length > in.available())
        {
            throw new IOException("a text of " + length + " bytes where " + in.available() + " are left");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
