package io.ipckit.cli;

import picocli.CommandLine.Help.Ansi;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the CLI prints: ANSI colour only when stdout is a terminal; sizes and ages in short human units; nested maps
 * as indented {@code key: value} lines. Stateless and thread-safe.
 */
final class Style
{
    private Style()
    {
    }

    /**
     * @param text  the text.
     * @param style a picocli style such as {@code red} or {@code bold}.
     * @return the text, coloured when stdout is a terminal.
     */
    static String colour(final String text, final String style)
    {
        return COLOUR ? Ansi.ON.string("@|" + style + " " + text + "|@") : text;
    }

    /**
     * Colour only on a terminal: since JDK 22 {@link System#console()} is not null when output is redirected, so
     * {@link java.io.Console#isTerminal()} decides, with picocli's own {@link Ansi#AUTO} rules
     * ({@code -Dpicocli.ansi}, {@code TERM=dumb}...) and {@code NO_COLOR} on top.
     */
    private static final boolean COLOUR = System.console() != null && System.console().isTerminal() &&
        Ansi.AUTO.enabled() && System.getenv("NO_COLOR") == null;

    /**
     * @return true when output is coloured (stdout is a terminal).
     */
    static boolean colourEnabled()
    {
        return COLOUR;
    }

    /**
     * @param bytes a size.
     * @return it in B, KiB, MiB or GiB.
     */
    static String size(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(value < 10 ? "%.1f%s" : "%.0f%s", value, units[unit]);
    }

    /**
     * @param age a duration.
     * @return it in the largest whole unit: {@code 42s}, {@code 3m}, {@code 5h}, {@code 2d}.
     */
    static String age(final Duration age)
    {
        final long s = age.toSeconds();
        if (s < 120)
        {
            return s + "s";
        }
        if (s < 7200)
        {
            return s / 60 + "m";
        }
        if (s < 172_800)
        {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    /**
     * Prints a map as indented lines, lists of maps as numbered blocks.
     *
     * @param map    the values.
     * @param indent the current indentation.
     * @param sb     where to append.
     */
    static void tree(final Map<String, Object> map, final String indent, final StringBuilder sb)
    {
        for (final Map.Entry<String, Object> entry : map.entrySet())
        {
            final Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested)
            {
                sb.append(indent).append(entry.getKey()).append(":\n");
                tree(cast(nested), indent + "  ", sb);
            }
            else if (value instanceof List<?> list)
            {
                sb.append(indent).append(entry.getKey()).append(": ").append(list.isEmpty() ? "none" : "").append('\n');
                for (final Object item : list)
                {
                    if (item instanceof Map<?, ?> row)
                    {
                        sb.append(indent).append("  -");
                        for (final Map.Entry<String, Object> field : cast(row).entrySet())
                        {
                            sb.append(' ').append(field.getKey()).append('=').append(field.getValue());
                        }
                        sb.append('\n');
                    }
                    else
                    {
                        sb.append(indent).append("  - ").append(item).append('\n');
                    }
                }
            }
            else
            {
                sb.append(indent).append(entry.getKey()).append(": ").append(value).append('\n');
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(final Map<?, ?> map)
    {
        return (Map<String, Object>)map;
    }
}
