package io.ipckit.core.internal.kit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Defaults given by system properties go through the option's setter, and a bad one names the property.
 */
class PropertyDefaultsTest
{
    private static final String NAME = "ipckit.test.property.defaults";

    @AfterEach
    void clearProperty()
    {
        System.clearProperty(NAME);
    }

    @Test
    void shouldLeaveTheBuiltInDefaultWhenUnset()
    {
        final AtomicLong set = new AtomicLong(-7);
        PropertyDefaults.applyLong(NAME, set::set);
        PropertyDefaults.applyInt(NAME, set::set);
        assertEquals(-7, set.get());
    }

    @Test
    void shouldApplyAValueTheSetterTakes()
    {
        final AtomicLong set = new AtomicLong();
        System.setProperty(NAME, " 250 ");
        PropertyDefaults.applyLong(NAME, (ms) -> set.set(TimeUnit.MILLISECONDS.toNanos(ms)));
        assertEquals(250_000_000L, set.get());
        final AtomicReference<TimeUnit> unit = new AtomicReference<>();
        System.setProperty(NAME, "SECONDS");
        PropertyDefaults.applyEnum(NAME, TimeUnit.class, unit::set);
        assertEquals(TimeUnit.SECONDS, unit.get());
    }

    /**
     * Before, {@code Long.getLong} took a malformed value as unset, and a value out of range was used unchecked.
     */
    @Test
    void shouldRefuseAMalformedOrRefusedValueNamingTheProperty()
    {
        System.setProperty(NAME, "10ms");
        assertEquals("-D" + NAME + "=10ms: not a whole number; fix the property or remove it",
            assertThrows(IllegalArgumentException.class, () -> PropertyDefaults.applyLong(NAME, (v) -> { })).getMessage());

        System.setProperty(NAME, "3000000000");
        assertEquals("-D" + NAME + "=3000000000: not a whole number from -2147483648 to 2147483647; fix the property " +
            "or remove it",
            assertThrows(IllegalArgumentException.class, () -> PropertyDefaults.applyInt(NAME, (v) -> { })).getMessage());

        System.setProperty(NAME, "-5");
        final AtomicReference<Long> set = new AtomicReference<>();
        assertEquals("-D" + NAME + "=-5: timeout must be positive; fix the property or remove it",
            assertThrows(IllegalArgumentException.class, () -> PropertyDefaults.applyLong(NAME, (v) ->
            {
                if (v <= 0)
                {
                    throw new IllegalArgumentException("timeout must be positive");
                }
                set.set(v);
            })).getMessage());
        assertNull(set.get(), "nothing set");

        System.setProperty(NAME, "fortnight");
        assertEquals("-D" + NAME + "=fortnight: not one of " + java.util.Arrays.toString(TimeUnit.values()) +
            "; fix the property or remove it",
            assertThrows(IllegalArgumentException.class,
                () -> PropertyDefaults.applyEnum(NAME, TimeUnit.class, (u) -> { })).getMessage());
    }

    @Test
    void shouldReturnARefusalForACreateToRefuseLater()
    {
        final AtomicLong set = new AtomicLong(-7);
        assertNull(PropertyDefaults.applyLongForCreate(NAME, set::set), "unset");
        System.setProperty(NAME, "12");
        assertNull(PropertyDefaults.applyIntForCreate(NAME, set::set));
        assertEquals(12, set.get());
        PropertyDefaults.refuseCreate("pipe \"p\"", null, null);

        System.setProperty(NAME, "12k");
        final String refusal = PropertyDefaults.applyLongForCreate(NAME, set::set);
        assertEquals("-D" + NAME + "=12k: not a whole number; fix the property or remove it", refusal);
        assertEquals(12, set.get(), "the option keeps its value");
        assertEquals("cannot create pipe \"p\": " + refusal + ", or set the option in code",
            assertThrows(IllegalArgumentException.class, () -> PropertyDefaults.refuseCreate("pipe \"p\"", null, refusal))
                .getMessage());
    }

    @Test
    void shouldTakeOnlyTrueOrFalseForABoolean()
    {
        final AtomicReference<Boolean> set = new AtomicReference<>();
        System.setProperty(NAME, " TRUE ");
        PropertyDefaults.applyBoolean(NAME, set::set);
        assertEquals(Boolean.TRUE, set.get());
        System.setProperty(NAME, "false");
        PropertyDefaults.applyBoolean(NAME, set::set);
        assertEquals(Boolean.FALSE, set.get());
        System.setProperty(NAME, "yes");
        assertEquals("-D" + NAME + "=yes: not true or false; fix the property or remove it",
            assertThrows(IllegalArgumentException.class, () -> PropertyDefaults.applyBoolean(NAME, set::set)).getMessage());
        assertEquals(Boolean.FALSE, set.get(), "unchanged");
    }
}
