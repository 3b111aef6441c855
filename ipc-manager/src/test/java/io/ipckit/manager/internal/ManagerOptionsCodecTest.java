package io.ipckit.manager.internal;

import io.ipckit.manager.Counter;
import io.ipckit.manager.ManagedFactory;
import io.ipckit.manager.ManagerOptions;
import io.ipckit.manager.ManagerRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagerOptionsCodecTest
{
    @Test
    void shouldCarryEveryFieldOfOptionsWithTheBuiltInTypesWithoutJavaSerialization()
    {
        final ManagerOptions options = new ManagerOptions()
            .callTimeout(7, TimeUnit.SECONDS)
            .startTimeout(11, TimeUnit.SECONDS)
            .leaseCheckInterval(13, TimeUnit.MILLISECONDS)
            .maxFrameBytes(1 << 20)
            .serverThreads(3)
            .daemon(false)
            .durable(Path.of("/tmp/some journal"))
            .snapshotEveryEntries(12_345)
            .reconnectTimeout(17, TimeUnit.SECONDS)
            .allowClasses("java.util.*", "com.example.Thing")
            .jvmOptions("-Xmx64m", "-Dname=a value with spaces, é")
            .classPath("/a/b.jar:/c/d.jar");

        final String encoded = ManagerOptionsCodec.encode(options);
        assertFalse(new String(Base64.getDecoder().decode(encoded), java.nio.charset.StandardCharsets.ISO_8859_1)
            .contains("java.io"), "no Java serialization stream in the plain form");
        final ManagerOptions decoded = ManagerOptionsCodec.decode(encoded);

        assertEquals(7, decoded.callTimeout(TimeUnit.SECONDS));
        assertEquals(11, decoded.startTimeout(TimeUnit.SECONDS));
        assertEquals(13, decoded.leaseCheckInterval(TimeUnit.MILLISECONDS));
        assertEquals(1 << 20, decoded.maxFrameBytes());
        assertEquals(3, decoded.serverThreads());
        assertFalse(decoded.daemon());
        assertEquals(Path.of("/tmp/some journal"), decoded.journalDirectory());
        assertEquals(12_345, decoded.snapshotEveryEntries());
        assertEquals(17, decoded.reconnectTimeout(TimeUnit.SECONDS));
        assertEquals(List.of("java.util.*", "com.example.Thing"), decoded.allowedClasses());
        assertEquals(List.of("-Xmx64m", "-Dname=a value with spaces, é"), decoded.jvmOptions());
        assertEquals("/a/b.jar:/c/d.jar", decoded.classPath());
        assertTrue(decoded.registry().onlyBuiltins());
        assertNotNull(decoded.registry().entry(Builtins.DICT).factory());

        final ManagerOptions defaults = ManagerOptionsCodec.decode(ManagerOptionsCodec.encode(new ManagerOptions()));
        assertNull(defaults.journalDirectory());
        assertNull(defaults.classPath());
        assertEquals(List.of(), defaults.jvmOptions());
    }

    /**
     * A class path longer than {@code DataOutputStream.writeUTF} takes (64 KiB) goes through; options longer than the
     * manager JVM's command line takes are refused, saying what to shorten.
     */
    @Test
    void shouldCarryAClassPathOver64KibAndRefuseOptionsTooLongForACommandLine()
    {
        final String longClassPath = "/opt/app/lib/a-library-with-a-long-name-1.0.0.jar:".repeat(1_500) + "/x.jar";
        assertTrue(longClassPath.length() > 70_000);
        assertEquals(longClassPath, ManagerOptionsCodec.decode(
            ManagerOptionsCodec.encode(new ManagerOptions().classPath(longClassPath))).classPath());

        final String tooLong = longClassPath + ":" + longClassPath;
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ManagerOptionsCodec.encode(new ManagerOptions().classPath(tooLong)));
        assertTrue(ex.getMessage().contains("shorten the class path, JVM options or allowed classes"),
            ex.getMessage());
    }

    /**
     * The plain form names every field it carries: a field added to {@link ManagerOptions} fails here until the codec
     * carries it (and this list names it).
     */
    @Test
    void shouldKnowEveryFieldOfManagerOptions()
    {
        final Set<String> fields = Arrays.stream(ManagerOptions.class.getDeclaredFields())
            .filter((field) -> !Modifier.isStatic(field.getModifiers())).map(Field::getName)
            .collect(Collectors.toSet());
        assertEquals(Set.of("callTimeoutNs", "startTimeoutNs", "leaseCheckIntervalNs", "maxFrameBytes",
            "serverThreads", "journalDirectory", "snapshotEveryEntries", "reconnectTimeoutNs", "daemon",
            "allowedClasses", "jvmOptions", "classPath", "registry"), fields);
    }

    @Test
    void shouldSerializeTheTypesOfARegistryOfItsOwnAndOnlyThose() throws Exception
    {
        final ManagerOptions options = new ManagerOptions().registry(Counter.registry()).serverThreads(5);

        final ManagerOptions decoded = ManagerOptionsCodec.decode(ManagerOptionsCodec.encode(options));

        assertEquals(5, decoded.serverThreads());
        final ManagerRegistry registry = decoded.registry();
        assertFalse(registry.onlyBuiltins());
        assertEquals(Counter.registry().toString(), registry.toString(),
            "the built-ins, then the registered types, in order");
        final ManagedFactory<?> factory = registry.entry("counter").factory();
        assertEquals(1, ((Counter)factory.create(new Object[0])).increment(),
            "the registered factory came across and works");
        assertEquals("snapshotValue", registry.entry("counter").methodToTypeid().get("snapshot"));
        assertTrue(registry.entry(Builtins.DICT).factory().create(new Object[0]) instanceof ConcurrentMap<?, ?>);

        final ManagerRegistry own = new ManagerRegistry().register("counter", Counter.class, (args) -> null);
        final ManagerRegistry ownDecoded =
            ManagerOptionsCodec.decode(ManagerOptionsCodec.encode(new ManagerOptions().registry(own))).registry();
        assertEquals("ManagerRegistry[counter]", ownDecoded.toString(), "a registry without the built-ins stays so");
    }

    @Test
    void shouldRefuseTextThatIsNotEncodedOptions()
    {
        final IllegalArgumentException base64 =
            assertThrows(IllegalArgumentException.class, () -> ManagerOptionsCodec.decode("not base64 !"));
        assertTrue(base64.getMessage().contains("not Base64"), base64.getMessage());
        final IllegalArgumentException form = assertThrows(IllegalArgumentException.class,
            () -> ManagerOptionsCodec.decode(Base64.getEncoder().encodeToString(new byte[] {9, 1, 2})));
        assertTrue(form.getMessage().contains("unknown form 9"), form.getMessage());
        final String encoded = ManagerOptionsCodec.encode(new ManagerOptions());
        final byte[] bytes = Base64.getDecoder().decode(encoded);
        final IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
            () -> ManagerOptionsCodec.decode(Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, 20))));
        assertTrue(truncated.getMessage().contains("do not decode"), truncated.getMessage());
        final IllegalArgumentException longer = assertThrows(IllegalArgumentException.class,
            () -> ManagerOptionsCodec.decode(
                Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, bytes.length + 3))));
        assertTrue(longer.getMessage().contains("3 bytes too many"), longer.getMessage());
    }

    @Test
    void shouldRefuseARegistryWhoseFactoryDoesNotSerialize()
    {
        final Object notSerializable = new Object();
        final ManagerRegistry registry = ManagerRegistry.defaults().register("counter", Counter.class,
            new ManagedFactory<Counter>()
            {
                @Override
                public Counter create(final Object[] args)
                {
                    return notSerializable == null ? null : new Counter.CounterImpl();
                }
            });
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ManagerOptionsCodec.encode(new ManagerOptions().registry(registry)));
        assertTrue(ex.getMessage().contains("must be a serializable lambda or class"), ex.getMessage());
    }
}
