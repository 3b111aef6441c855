package io.ipckit.shm;

import io.ipckit.core.exceptions.CorruptResourceException;
import io.ipckit.core.exceptions.IncompatibleVersionException;
import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.exceptions.WrongResourceKindException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.list.ShareableList;
import io.ipckit.shm.sync.SharedBarrier;
import io.ipckit.shm.sync.SharedCondition;
import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedReentrantLock;
import io.ipckit.shm.sync.SharedSemaphore;
import io.ipckit.shm.value.SharedValue;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of shm and sync structure refuses, at open and at once, a file that is empty, truncated, not an ipckit
 * file, another kind, or of a newer layout, with a message that names the resource and says what is wrong.
 */
@Timeout(60)
class OpenRefusalTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    static Stream<Arguments> kinds()
    {
        return Stream.of(
            kind("SharedArray", (n) -> SharedArray.create(n, DType.INT64, 16), SharedArray::open),
            kind("SharedValue", (n) -> SharedValue.create(n, DType.INT64, 4), SharedValue::open),
            kind("ShareableList", (n) -> ShareableList.create(n, List.of(1L, "two")), ShareableList::open),
            kind("Lock", SharedLock::create, SharedLock::open),
            kind("RLock", SharedReentrantLock::create, SharedReentrantLock::open),
            kind("Semaphore", (n) -> SharedSemaphore.create(n, 1), SharedSemaphore::open),
            kind("Event", SharedEvent::create, SharedEvent::open),
            kind("Condition", SharedCondition::create, SharedCondition::open),
            kind("Barrier", (n) -> SharedBarrier.create(n, 2), SharedBarrier::open));
    }

    private static Arguments kind(
        final String displayName, final Function<String, AutoCloseable> create, final Function<String, AutoCloseable> open)
    {
        return Arguments.of(displayName, create, open);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void shouldRefuseEveryDamagedFileAtOpen(
        final String kind, final Function<String, AutoCloseable> create, final Function<String, AutoCloseable> open)
        throws Exception
    {
        Files.write(dir.path().resolve("empty"), new byte[0]);
        refused(open, "empty", CorruptResourceException.class, "is empty (0 bytes)");

        createAndDamage(create, "truncated", (file) -> setLength(file, file.lengthBytes() - 8));
        refused(open, "truncated", CorruptResourceException.class, "(truncated or overwritten)");

        createAndDamage(create, "foreign", (file) -> file.buffer().putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, 42));
        refused(open, "foreign", CorruptResourceException.class, "its header has no ipckit magic number");

        createAndDamage(create, "newer",
            (file) -> file.buffer().putInt(ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, 99));
        refused(open, "newer", IncompatibleVersionException.class, "has layout version 99");

        final Function<String, AutoCloseable> other = "Event".equals(kind) ?
            SharedLock::create : SharedEvent::create;
        other.apply("other").close();
        refused(open, "other", WrongResourceKindException.class, ", not a " + kind + ": open it as what it is");
    }

    private static void createAndDamage(
        final Function<String, AutoCloseable> create, final String name, final Consumer<MappedFile> damage)
        throws Exception
    {
        create.apply(name).close();
        try (MappedFile file = MappedFile.open(name))
        {
            damage.accept(file);
        }
    }

    private static void setLength(final MappedFile file, final long length)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.path().toFile(), "rw"))
        {
            raf.setLength(length);
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void refused(
        final Function<String, AutoCloseable> open,
        final String name,
        final Class<? extends IpcException> expected,
        final String phrase)
    {
        final long start = System.nanoTime();
        final IpcException ex = assertThrows(expected, () -> open.apply(name).close(), name);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMs < 1_000, name + " was refused only after " + elapsedMs + " ms");
        assertTrue(ex.getMessage().contains("\"" + name + "\""), ex.getMessage());
        assertTrue(ex.getMessage().contains(phrase), ex.getMessage());
        assertTrue(ex.getMessage().contains("unlink it") || ex.getMessage().contains("use the same ipckit") ||
            ex.getMessage().contains("open it as what it is"), "says what to do: " + ex.getMessage());
    }
}
