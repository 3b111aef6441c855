package io.ipckit.core.testing;

import io.ipckit.core.internal.os.Native;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Sees, through Linux's {@code /proc}, whether a thread of this JVM is asleep in a {@code FUTEX_WAIT} on a given word:
 * a test that must act only once a waiter has gone to sleep in the kernel (to interrupt it there, say) waits for that
 * instead of sleeping and hoping. The word's address is matched, as the JVM's own locks and parks are futex waits
 * too. Java gives its threads' first 15 characters of name to the kernel as their {@code comm}.
 */
public final class KernelSleep
{
    private static final Path TASKS = Path.of("/proc/self/task");

    private KernelSleep()
    {
    }

    /**
     * @return true where {@code /proc} shows this JVM's threads and the system call each is in (Linux, not every
     * sandbox).
     */
    public static boolean visible()
    {
        try
        {
            return Files.isDirectory(TASKS) && !Files.readString(Path.of("/proc/thread-self/syscall")).isBlank();
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * Waits until the thread of that name is inside a {@code FUTEX_WAIT} (shared, not private) on the word at
     * {@code address}.
     *
     * @param threadName the thread's name, at most 15 characters.
     * @param address    the futex word's address.
     * @param timeout    the deadline, after which the test fails.
     */
    public static void awaitInFutex(final String threadName, final long address, final Duration timeout)
    {
        // /proc/<tid>/syscall: the call's number, then its arguments in hexadecimal (the word, then the operation)
        final String futex = Native.SYS_FUTEX + " 0x" + Long.toHexString(address) + " 0x" +
            Integer.toHexString(Native.FUTEX_WAIT) + " ";
        Eventually.await(threadName + " asleep in the kernel", timeout, () ->
        {
            try (Stream<Path> tasks = Files.list(TASKS))
            {
                for (final Path task : (Iterable<Path>)tasks::iterator)
                {
                    try
                    {
                        if (Files.readString(task.resolve("comm")).strip().equals(threadName))
                        {
                            return Files.readString(task.resolve("syscall")).startsWith(futex);
                        }
                    }
                    catch (final IOException ex)
                    {
                        // the task ended meanwhile
                    }
                }
                return false;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
    }
}
