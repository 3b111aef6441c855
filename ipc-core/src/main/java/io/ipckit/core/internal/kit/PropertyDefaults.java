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
     * {@link #applyLong} for an option that only a create uses: a refused property is returned rather than thrown,
     * so that the options can still open an existing resource; the create refuses it then
     * ({@link #refuseCreate}). The option keeps its built-in default meanwhile.
     *
     * @param name   the system property.
     * @param setter the option's setter, which throws {@link IllegalArgumentException} for a value out of range.
     * @return null when the property is unset or applied; else what was wrong with it, naming it and its value.
     */
    public static String applyLongForCreate(final String name, final LongConsumer setter)
    {
        return refusalOf(() -> applyLong(name, setter));
    }

    /**
     * {@link #applyInt} for an option that only a create uses, as {@link #applyLongForCreate} is for longs.
     *
     * @param name   the system property.
     * @param setter the option's setter, which throws {@link IllegalArgumentException} for a value out of range.
     * @return null when the property is unset or applied; else what was wrong with it, naming it and its value.
     */
    public static String applyIntForCreate(final String name, final IntConsumer setter)
    {
        return refusalOf(() -> applyInt(name, setter));
    }

    private static String refusalOf(final Runnable apply)
    {
        try
        {
            apply.run();
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage();
        }
    }

    /**
     * Refuses a create whose options hold a property default that {@link #applyLongForCreate} or
     * {@link #applyIntForCreate} refused, and that no setter call has replaced since.
     *
     * @param what     the resource being created, as messages name it (for example {@code SharedDict "prices"}).
     * @param refusals the options' refusals, null where none.
     * @throws IllegalArgumentException naming the resource, the property, its value and why, when one is not null.
     */
    public static void refuseCreate(final String what, final String... refusals)
    {
        for (final String refusal : refusals)
        {
            if (refusal != null)
            {
                throw new IllegalArgumentException("cannot create " + what + ": " + refusal +
                    ", or set the option in code");
            }
        }
    }

    /**
     * Applies property {@code name}, when set, as a boolean through {@code setter}: {@code true} or {@code false} in
     * any case, where {@link Boolean#parseBoolean} would take any other word for false.
     *
     * @param name   the system property.
     * @param setter the option's setter.
     * @throws IllegalArgumentException when the property is neither {@code true} nor {@code false}.
     */
    public static void applyBoolean(final String name, final Consumer<Boolean> setter)
    {
        apply(name, PropertyDefaults::parseBoolean, () -> "not true or false", setter);
    }

    private static Boolean parseBoolean(final String raw)
    {
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false"))
        {
            return Boolean.valueOf(raw);
        }
        throw new IllegalArgumentException(raw);
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
