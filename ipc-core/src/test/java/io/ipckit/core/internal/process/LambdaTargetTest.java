package io.ipckit.core.internal.process;

import io.ipckit.core.process.SerializableRunnable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LambdaTargetTest
{
    /** Where a rebuilt lambda of this test leaves what it captured. */
    static final AtomicReference<String> SEEN = new AtomicReference<>();

    @Test
    void shouldRebuildALambdaCapturingStringsBoxedPrimitivesAndNullsWithoutJavaSerialization() throws Exception
    {
        final String text = "é and a ünicode text";
        final int count = 42;
        final long big = Long.MIN_VALUE;
        final boolean flag = true;
        final double real = 0.1;
        final float single = 2.5f;
        final short small = -3;
        final byte tiny = 7;
        final char letter = 'λ';
        final String nothing = null;
        final SerializableRunnable target = () -> SEEN.set(text + count + big + flag + real + single + small + tiny +
            letter + nothing);

        final String encoded = LambdaTarget.encode(target);
        assertNotNull(encoded, "a lambda of simple captured values is sent in the compact form");
        assertTrue(encoded.startsWith(LambdaTarget.PREFIX), encoded);
        final byte[] bytes = Base64.getDecoder().decode(encoded.substring(LambdaTarget.PREFIX.length()));
        assertTrue(bytes.length < 2 || bytes[0] != (byte)0xAC || bytes[1] != (byte)0xED, "no Java serialization");

        SEEN.set(null);
        LambdaTarget.decode(encoded).run();
        assertEquals(text + count + big + flag + real + single + small + tiny + letter + nothing, SEEN.get());
    }

    @Test
    void shouldLeaveOtherTargetsToJavaSerialization()
    {
        final List<String> list = new ArrayList<>(List.of("a"));
        assertNull(LambdaTarget.encode(() -> SEEN.set(list.toString())), "a captured list");
        assertNull(LambdaTarget.encode(new NamedTarget()), "a class, not a lambda");
    }

    @Test
    void shouldRefuseTextThatIsNotALambdaTarget()
    {
        assertThrows(IllegalArgumentException.class, () -> LambdaTarget.decode("runnable:abc"));
        final IllegalArgumentException garbled = assertThrows(IllegalArgumentException.class,
            () -> LambdaTarget.decode(LambdaTarget.PREFIX + Base64.getEncoder().encodeToString(new byte[] {0, 0, 0,
                9})));
        assertTrue(garbled.getMessage().contains("does not decode"), garbled.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LambdaTarget.decode(LambdaTarget.PREFIX + "%%%"));
    }

    /** A target that is a class of its own. */
    static final class NamedTarget implements SerializableRunnable
    {
        @Override
        public void run()
        {
            SEEN.set("named");
        }
    }
}
