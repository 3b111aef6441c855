package io.ipckit.core.internal.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few C library and Linux system calls ipckit needs, bound once through the Foreign Function &amp; Memory API
 * (no JNI): {@code futex} and {@code open}/{@code posix_fallocate}/{@code close}. Each call captures {@code errno}.
 * Handles are bound on first use, per group, because binding costs tens of milliseconds at JVM start.
 * <p>
 * Thread-safe: the per-call scratch memory (timespec, errno) is thread-local, so calls allocate nothing after a
 * thread's first call. {@link #isLinux()} tells whether the Linux-only calls are available; callers fall back to
 * portable code otherwise.
 */
public final class Native
{
    /** {@code FUTEX_WAIT}, shared between processes (no {@code FUTEX_PRIVATE_FLAG}). */
    public static final int FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}, shared between processes (no {@code FUTEX_PRIVATE_FLAG}). */
    public static final int FUTEX_WAKE = 1;
    /** {@code EAGAIN}: the futex word did not hold the expected value. */
    public static final int EAGAIN = 11;
    /** {@code EINTR}: interrupted by a signal. */
    public static final int EINTR = 4;
    /** {@code ETIMEDOUT}: the futex wait timed out. */
    public static final int ETIMEDOUT = 110;
    /** {@code ENOSPC}: no space left on the device. */
    public static final int ENOSPC = 28;
    /** {@code EEXIST}: the file exists. */
    public static final int EEXIST = 17;
    /** {@code ENOENT}: no such file. */
    public static final int ENOENT = 2;

    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0x40;
    private static final int O_EXCL = 0x80;
    private static final int O_CLOEXEC = 0x80000;

    private static final boolean LINUX;
    private static final long SYS_FUTEX;
    private static final long SYS_MEMBARRIER;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static
    {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "");
        final long futexNumber = switch (arch)
        {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64", "riscv64" -> 98;
            default -> -1;
        };
        LINUX = os.contains("linux") && futexNumber > 0;
        SYS_FUTEX = futexNumber;
        SYS_MEMBARRIER = switch (arch)
        {
            case "amd64", "x86_64" -> 324;
            case "aarch64", "arm64", "riscv64" -> 283;
            default -> -1;
        };
    }

    private Native()
    {
    }

    /**
     * @return true when the Linux system calls (futex, fallocate, pidfd) are bound.
     */
    public static boolean isLinux()
    {
        return LINUX;
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the 32-bit word at {@code address} holds {@code expected}, for at most
     * {@code timeoutNs} (negative: no timeout).
     *
     * @param address   address of a 4-byte aligned word in shared memory.
     * @param expected  the value the word must hold for the caller to sleep.
     * @param timeoutNs relative timeout in nanoseconds; negative waits without a timeout.
     * @return 0 when woken, otherwise the errno: {@link #EAGAIN}, {@link #ETIMEDOUT} or {@link #EINTR}.
     */
    public static int futexWait(final long address, final int expected, final long timeoutNs)
    {
        // the word's address travels as a plain long (syscall arguments are longs): nothing is allocated per call
        final Scratch scratch = SCRATCH.get();
        final MemorySegment timeout;
        if (timeoutNs < 0)
        {
            timeout = MemorySegment.NULL;
        }
        else
        {
            timeout = scratch.timespec;
            timeout.set(JAVA_LONG, 0, timeoutNs / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, timeoutNs % 1_000_000_000L);
        }
        try
        {
            final long result = (long)Handles.SYSCALL_FUTEX.invokeExact(
                scratch.errno, SYS_FUTEX, address, (long)FUTEX_WAIT,
                (long)expected, timeout, 0L, 0L);
            return result == 0 ? 0 : errno(scratch);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("futex wait failed", t);
        }
    }

    /**
     * {@code FUTEX_WAKE}: wakes up to {@code count} processes or threads sleeping on the word at {@code address}.
     *
     * @param address address of the word.
     * @param count   maximum number of waiters to wake ({@link Integer#MAX_VALUE} for all).
     * @return the number of waiters woken.
     */
    public static int futexWake(final long address, final int count)
    {
        final Scratch scratch = SCRATCH.get();
        try
        {
            final long result = (long)Handles.SYSCALL_FUTEX.invokeExact(
                scratch.errno, SYS_FUTEX, address, (long)FUTEX_WAKE,
                (long)count, MemorySegment.NULL, 0L, 0L);
            return (int)Math.max(result, 0);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("futex wake failed", t);
        }
    }

    /**
     * {@code membarrier(cmd, 0, 0)} (Linux 4.16+ for the global expedited commands).
     *
     * @param command a {@code MEMBARRIER_CMD_*} value.
     * @return the system call's result: for the query command the mask of supported commands, otherwise 0 on
     * success; -1 on failure and off Linux.
     */
    public static long membarrier(final int command)
    {
        if (!LINUX || SYS_MEMBARRIER < 0)
        {
            return -1;
        }
        try
        {
            return (long)MembarrierHandle.SYSCALL.invokeExact(SYS_MEMBARRIER, (long)command, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("membarrier failed", t);
        }
    }

    /**
     * Creates a file exclusively ({@code O_CREAT|O_EXCL}) with mode 0600 and allocates {@code lengthBytes} of it
     * with {@code posix_fallocate}, so a full file system is reported now rather than as a SIGBUS later.
     *
     * @param path        the absolute path.
     * @param lengthBytes the length to allocate; 0 allocates nothing.
     * @return 0 on success, otherwise the errno ({@link #EEXIST}, {@link #ENOSPC}, ...). On an allocation failure
     * the file has been created and is left for the caller to delete.
     */
    public static int createAllocated(final String path, final long lengthBytes)
    {
        final Scratch scratch = SCRATCH.get();
        try (Arena arena = Arena.ofConfined())
        {
            final int fd = (int)FileHandles.OPEN.invokeExact(
                scratch.errno, arena.allocateFrom(path), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0)
            {
                return errno(scratch);
            }
            try
            {
                return lengthBytes > 0 ? (int)FileHandles.POSIX_FALLOCATE.invokeExact(fd, 0L, lengthBytes) : 0;
            }
            finally
            {
                final int ignored = (int)FileHandles.CLOSE.invokeExact(fd);
            }
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("open/posix_fallocate failed on " + path, t);
        }
    }

    private static int errno(final Scratch scratch)
    {
        return (int)Handles.ERRNO.get(scratch.errno, 0L);
    }

    private static MethodHandle downcall(final String symbol, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        final Linker linker = Linker.nativeLinker();
        final Optional<MemorySegment> address = linker.defaultLookup().find(symbol);
        return linker.downcallHandle(
            address.orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + symbol)), descriptor, options);
    }

    /**
     * The futex handle and errno capture, bound on first use: binding FFM handles costs tens of milliseconds at JVM
     * start, so each group is bound only by the processes that need it.
     */
    private static final class Handles
    {
        static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
        static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SYSCALL_FUTEX = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), ERRNO_CAPTURE);
    }

    private static final class MembarrierHandle
    {
        static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    }

    private static final class FileHandles
    {
        static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), Handles.ERRNO_CAPTURE);
        static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle POSIX_FALLOCATE = downcall("posix_fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    private static final class Scratch
    {
        final MemorySegment errno = Arena.ofAuto().allocate(Handles.CAPTURE_LAYOUT.byteSize(), 8);
        final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);
    }
}
