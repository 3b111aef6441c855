package io.ipckit.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and nulls as JSON (RFC 8259), with no dependency: the CLI's
 * {@code --json} output. Stateless and thread-safe.
 */
final class Json
{
    private Json()
    {
    }

    /**
     * @param value a {@link Map} with string keys, a {@link List}, a {@link CharSequence}, a {@link Number}, a
     *              {@link Boolean} or null, nested freely.
     * @return its JSON text on one line.
     * @throws IllegalArgumentException for any other type.
     */
    static String write(final Object value)
    {
        final StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(final Object value, final StringBuilder sb)
    {
        if (value == null)
        {
            sb.append("null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            sb.append('{');
            final Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext())
            {
                final Map.Entry<?, ?> entry = entries.next();
                string(String.valueOf(entry.getKey()), sb);
                sb.append(':');
                write(entry.getValue(), sb);
                if (entries.hasNext())
                {
                    sb.append(',');
                }
            }
            sb.append('}');
        }
        else if (value instanceof List<?> list)
        {
            sb.append('[');
            for (int i = 0; i < list.size(); i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                write(list.get(i), sb);
            }
            sb.append(']');
        }
        else if (value instanceof Boolean || value instanceof Integer || value instanceof Long)
        {
            sb.append(value);
        }
        else if (value instanceof Number number)
        {
            final double d = number.doubleValue();
            sb.append(Double.isFinite(d) ? String.valueOf(d) : "null");
        }
        else if (value instanceof CharSequence text)
        {
            string(text.toString(), sb);
        }
        else
        {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void string(final String text, final StringBuilder sb)
    {
        sb.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
