package io.ipckit.core.internal.kit;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Gives an options object a default from a system property through the option's own setter, so that a default set
 * with {@code -D} is checked as a value set in code is. A property that is not a number (which
 * {@link Long#getLong(String, long)} would silently ignore), or whose value the setter refuses, fails with an
 * {@link IllegalArgumentException} that names the property, its value and the setter's reason. An unset property
 * leaves the option's built-in default.
 * <p>
 * Stateless and thread-safe.
 */
public final class PropertyDefaults
{
    private PropertyDefaults()
    {
    }

    /**
     * Applies property {@code name}, when set, as a whole number through {@code setter}.
     *
     * @param name   the system property.
     * @param setter the option's setter, which throws {@link IllegalArgumentException} for a value out of range.
     * @throws IllegalArgumentException when the property is not a whole number or the setter refuses it.
     */
    public static void applyLong(final String name, final LongConsumer setter)
    {
        apply(name, Long::valueOf, () -> "not a whole number", setter::accept);
    }

    /**
     * Applies property {@code name}, when set, as an {@code int} through {@code setter}.
     *
     * @param name   the system property.
     * @param setter the option's setter, which throws {@link IllegalArgumentException} for a value out of range.
     * @throws IllegalArgumentException when the property is not an {@code int} or the setter refuses it.
     */
    public static void applyInt(final String name, final IntConsumer setter)
    {
        apply(name, Integer::valueOf, () -> "not a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE,
            setter::accept);
    }

    /**
     * Applies property {@code name}, when set, as a constant of {@code type} (its exact name) through {@code setter}.
     *
     * @param name   the system property.
     * @param type   the enum.
     * @param setter the option's setter.
     * @param <E>    the enum.
     * @throws IllegalArgumentException when the property names no constant of {@code type}.
     */
    public static <E extends Enum<E>> void applyEnum(final String name, final Class<E> type, final Consumer<E> setter)
    {
        apply(name, (raw) -> Enum.valueOf(type, raw), () -> "not one of " + Arrays.toString(type.getEnumConstants()),
            setter);
    }

    private static <T> void apply(
        final String name, final Function<String, T> parse, final Supplier<String> expected, final Consumer<T> setter)
    {
        final String raw = System.getProperty(name);
        if (raw == null)
        {
            return;
        }
        final T value;
        try
        {
            value = parse.apply(raw.trim());
        }
        catch (final IllegalArgumentException ex) // NumberFormatException too
        {
            throw refused(name, raw, expected.get(), ex);
        }
        try
        {
            setter.accept(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw refused(name, raw, ex.getMessage(), ex);
        }
    }

    private static IllegalArgumentException refused(
        final String name, final String raw, final String why, final Exception cause)
    {
        return new IllegalArgumentException("-D" + name + "=" + raw + ": " + why + "; fix the property or remove it",
            cause);
    }
}
