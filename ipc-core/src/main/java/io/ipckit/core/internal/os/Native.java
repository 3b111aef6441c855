package io.ipckit.core.internal.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The few Linux system calls ipckit needs, made through the Foreign Function &amp; Memory API (no JNI): {@code futex},
 * {@code membarrier}, {@code openat}/{@code fallocate}/{@code close}, and {@code pidfd_open} with {@code epoll} to
 * learn when another process exits. Every call goes through one downcall handle
 * to the C library's {@code syscall} function, which captures {@code errno}: binding a handle costs 20 to 70 ms at JVM
 * start (the JDK generates its stub classes), so one binding instead of five keeps that cost off a starting child's
 * first message. The handle is bound on first use.
 * <p>
 * Thread-safe: the per-call scratch memory (timespec, errno) is thread-local, so the futex and membarrier calls
 * allocate nothing after a thread's first call; the calls of the peer watch ({@code epoll_ctl}, {@code eventfd}'s
 * write), made once per watched process, use a confined arena each. {@link #isLinux()} tells whether the Linux-only calls are available; callers fall back to
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
    /** {@code EOPNOTSUPP}: the file system cannot allocate without writing. */
    static final int EOPNOTSUPP = 95;
    /** {@code ESRCH}: no such process. */
    public static final int ESRCH = 3;
    /** {@code EPERM}: not permitted (a seccomp filter may refuse a system call so). */
    public static final int EPERM = 1;
    /** {@code ENOSYS}: the kernel has no such system call. */
    public static final int ENOSYS = 38;
    /** Bytes of one {@code struct epoll_event}: packed on x86-64, padded to 16 on the generic table's machines. */
    public static final int EPOLL_EVENT_BYTES;
    /** Offset of the 64-bit user data within a {@code struct epoll_event}. */
    public static final int EPOLL_EVENT_DATA_OFFSET;

    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0x40;
    private static final int O_EXCL = 0x80;
    private static final int O_CLOEXEC = 0x80000;
    private static final long AT_FDCWD = -100;
    private static final long PAGE_BYTES = 4096;

    private static final boolean LINUX;
    /** The {@code futex} system call's number on this architecture (-1 where unknown): as {@code /proc} shows it. */
    public static final long SYS_FUTEX;
    private static final long SYS_MEMBARRIER;
    private static final long SYS_OPENAT;
    private static final long SYS_CLOSE;
    private static final long SYS_FALLOCATE;
    private static final long SYS_PWRITE64;
    private static final long SYS_PIDFD_OPEN = 434; // one number on every architecture since Linux 5.1's unification
    private static final long SYS_EPOLL_CREATE1;
    private static final long SYS_EPOLL_CTL;
    private static final long SYS_EPOLL_PWAIT;
    private static final long SYS_EVENTFD2;
    private static final long SYS_WRITE;
    private static final long EPOLL_CTL_ADD = 1;
    private static final long EPOLL_CTL_DEL = 2;
    private static final long EPOLLIN = 1;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static
    {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "");
        final boolean x86 = "amd64".equals(arch) || "x86_64".equals(arch);
        // aarch64 and riscv64 share the generic system call table (asm-generic/unistd.h)
        final boolean generic = "aarch64".equals(arch) || "arm64".equals(arch) || "riscv64".equals(arch);
        LINUX = os.contains("linux") && (x86 || generic);
        SYS_FUTEX = x86 ? 202 : generic ? 98 : -1;
        SYS_MEMBARRIER = x86 ? 324 : generic ? 283 : -1;
        SYS_OPENAT = x86 ? 257 : generic ? 56 : -1;
        SYS_CLOSE = x86 ? 3 : generic ? 57 : -1;
        SYS_FALLOCATE = x86 ? 285 : generic ? 47 : -1;
        SYS_PWRITE64 = x86 ? 18 : generic ? 68 : -1;
        SYS_EPOLL_CREATE1 = x86 ? 291 : generic ? 20 : -1;
        SYS_EPOLL_CTL = x86 ? 233 : generic ? 21 : -1;
        SYS_EPOLL_PWAIT = x86 ? 281 : generic ? 22 : -1;
        SYS_EVENTFD2 = x86 ? 290 : generic ? 19 : -1;
        SYS_WRITE = x86 ? 1 : generic ? 64 : -1;
        EPOLL_EVENT_BYTES = x86 ? 12 : 16;
        EPOLL_EVENT_DATA_OFFSET = x86 ? 4 : 8;
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
        final long timeout;
        if (timeoutNs < 0)
        {
            timeout = 0L;
        }
        else
        {
            scratch.timespec.set(JAVA_LONG, 0, timeoutNs / 1_000_000_000L);
            scratch.timespec.set(JAVA_LONG, 8, timeoutNs % 1_000_000_000L);
            timeout = scratch.timespecAddress;
        }
        try
        {
            final long result = (long)Handles.SYSCALL.invokeExact(
                scratch.errno, SYS_FUTEX, address, (long)FUTEX_WAIT, (long)expected, timeout, 0L, 0L);
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
            final long result = (long)Handles.SYSCALL.invokeExact(
                scratch.errno, SYS_FUTEX, address, (long)FUTEX_WAKE, (long)count, 0L, 0L, 0L);
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
        if (!LINUX)
        {
            return -1;
        }
        try
        {
            return (long)Handles.SYSCALL.invokeExact(
                SCRATCH.get().errno, SYS_MEMBARRIER, (long)command, 0L, 0L, 0L, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("membarrier failed", t);
        }
    }

    /**
     * Creates a file exclusively ({@code O_CREAT|O_EXCL}) with mode 0600 and allocates {@code lengthBytes} of it
     * with {@code fallocate} (writing a zero byte into every page where the file system cannot allocate otherwise,
     * as {@code posix_fallocate} does), so a full file system is reported now rather than as a SIGBUS later.
     *
     * @param path        the absolute path.
     * @param lengthBytes the length to allocate; 0 allocates nothing.
     * @return 0 on success, otherwise the errno ({@link #EEXIST}, {@link #ENOSPC}, ...). On an allocation failure
     * the file has been created and is left for the caller to delete.
     */
    public static int createAllocated(final String path, final long lengthBytes)
    {
        return createAllocated(path, lengthBytes, false);
    }

    /**
     * @param writePages true to allocate by writing, as when the file system refuses {@code fallocate}.
     * @see #createAllocated(String, long)
     */
    static int createAllocated(final String path, final long lengthBytes, final boolean writePages)
    {
        final Scratch scratch = SCRATCH.get();
        try (Arena arena = Arena.ofConfined())
        {
            final long fd = (long)Handles.SYSCALL.invokeExact(scratch.errno, SYS_OPENAT, AT_FDCWD,
                arena.allocateFrom(path).address(), (long)(O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC), 0600L, 0L, 0L);
            if (fd < 0)
            {
                return errno(scratch);
            }
            try
            {
                if (lengthBytes <= 0)
                {
                    return 0;
                }
                if (!writePages)
                {
                    final long result = (long)Handles.SYSCALL.invokeExact(
                        scratch.errno, SYS_FALLOCATE, fd, 0L, 0L, lengthBytes, 0L, 0L);
                    if (result == 0)
                    {
                        return 0;
                    }
                    final int errno = errno(scratch);
                    if (errno != EOPNOTSUPP)
                    {
                        return errno;
                    }
                }
                return writeZeroPerPage(scratch, fd, arena.allocate(1).address(), lengthBytes);
            }
            finally
            {
                final long ignored = (long)Handles.SYSCALL.invokeExact(
                    scratch.errno, SYS_CLOSE, fd, 0L, 0L, 0L, 0L, 0L);
            }
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("openat/fallocate failed on " + path, t);
        }
    }

    /**
     * {@code pidfd_open(pid, 0)} (Linux 5.3+): a file descriptor that refers to the process {@code pid} names now,
     * whatever later reuses the number, and becomes readable when that process exits.
     *
     * @param pid the process.
     * @return the descriptor (0 or more), or minus the errno ({@link #ESRCH} when no such process, {@code ENOSYS} on
     * an older kernel, {@code EMFILE} when out of descriptors).
     */
    public static int pidfdOpen(final long pid)
    {
        return (int)call(SYS_PIDFD_OPEN, pid, 0L, 0L, 0L, "pidfd_open");
    }

    /**
     * {@code epoll_create1(EPOLL_CLOEXEC)}.
     *
     * @return the epoll descriptor, or minus the errno.
     */
    public static int epollCreate()
    {
        return (int)call(SYS_EPOLL_CREATE1, O_CLOEXEC, 0L, 0L, 0L, "epoll_create1");
    }

    /**
     * Adds a descriptor to an epoll set, for readability, with {@code data} as the event's user data.
     *
     * @param epollFd the epoll descriptor.
     * @param fd      the descriptor to watch.
     * @param data    returned with the descriptor's events ({@link #EPOLL_EVENT_DATA_OFFSET}).
     * @return 0, or minus the errno.
     */
    public static int epollAdd(final int epollFd, final int fd, final long data)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment event = arena.allocate(EPOLL_EVENT_BYTES, 8);
            event.set(JAVA_INT, 0, (int)EPOLLIN);
            event.set(JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, data);
            return (int)call(SYS_EPOLL_CTL, epollFd, EPOLL_CTL_ADD, fd, event.address(), "epoll_ctl");
        }
    }

    /**
     * Removes a descriptor from an epoll set.
     *
     * @param epollFd the epoll descriptor.
     * @param fd      the descriptor.
     * @return 0, or minus the errno.
     */
    public static int epollRemove(final int epollFd, final int fd)
    {
        return (int)call(SYS_EPOLL_CTL, epollFd, EPOLL_CTL_DEL, fd, 0L, "epoll_ctl");
    }

    /**
     * {@code epoll_pwait(epollFd, events, maxEvents, timeoutMs, NULL)}: blocks the calling thread in the kernel.
     *
     * @param epollFd   the epoll descriptor.
     * @param events    the address of room for {@code maxEvents} events of {@link #EPOLL_EVENT_BYTES}.
     * @param maxEvents the most events to return.
     * @param timeoutMs the most to wait in ms; -1 without a limit.
     * @return the number of events, or minus the errno ({@link #EINTR} when a signal came).
     */
    public static int epollWait(final int epollFd, final long events, final int maxEvents, final int timeoutMs)
    {
        return (int)call(SYS_EPOLL_PWAIT, epollFd, events, maxEvents, timeoutMs, "epoll_pwait");
    }

    /**
     * {@code eventfd2(0, EFD_CLOEXEC)}: a descriptor that becomes readable once {@link #eventfdSignal} wrote to it,
     * to end an {@link #epollWait} from another thread.
     *
     * @return the descriptor, or minus the errno.
     */
    public static int eventfd()
    {
        return (int)call(SYS_EVENTFD2, 0L, O_CLOEXEC, 0L, 0L, "eventfd2");
    }

    /**
     * Adds 1 to an {@link #eventfd()}'s counter, which makes it readable.
     *
     * @param fd the descriptor.
     * @return 8 (the bytes written), or minus the errno.
     */
    public static int eventfdSignal(final int fd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment one = arena.allocate(8, 8);
            one.set(JAVA_LONG, 0, 1L);
            return (int)call(SYS_WRITE, fd, one.address(), 8L, 0L, "write");
        }
    }

    /**
     * Closes a descriptor this class returned.
     *
     * @param fd the descriptor.
     * @return 0, or minus the errno.
     */
    public static int close(final int fd)
    {
        return (int)call(SYS_CLOSE, fd, 0L, 0L, 0L, "close");
    }

    private static long call(final long number, final long a1, final long a2, final long a3, final long a4,
        final String name)
    {
        if (!LINUX)
        {
            throw new UnsupportedOperationException(name + " needs Linux on x86-64, aarch64 or riscv64");
        }
        final Scratch scratch = SCRATCH.get();
        try
        {
            final long result = (long)Handles.SYSCALL.invokeExact(scratch.errno, number, a1, a2, a3, a4, 0L, 0L);
            return result < 0 ? -errno(scratch) : result;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(name + " failed", t);
        }
    }

    private static int writeZeroPerPage(final Scratch scratch, final long fd, final long zeroByte, final long lengthBytes)
        throws Throwable
    {
        for (long offset = 0; offset < lengthBytes; offset = Math.min(offset + PAGE_BYTES, lengthBytes - 1))
        {
            final long written = (long)Handles.SYSCALL.invokeExact(
                scratch.errno, SYS_PWRITE64, fd, zeroByte, 1L, offset, 0L, 0L);
            if (written != 1)
            {
                return written < 0 ? errno(scratch) : ENOSPC;
            }
            if (offset == lengthBytes - 1)
            {
                break;
            }
        }
        return 0;
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
     * The one downcall handle, {@code long syscall(long number, long a1, ..., long a6)} with {@code errno} captured,
     * bound when this class is first used (by the first call).
     */
    private static final class Handles
    {
        static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    private static final class Scratch
    {
        final MemorySegment errno = Arena.ofAuto().allocate(Handles.CAPTURE_LAYOUT.byteSize(), 8);
        /** Kept reachable by this object, which the thread's thread-local holds while the thread lives. */
        final MemorySegment timespec = Arena.ofAuto().allocate(16, 8);
        final long timespecAddress = timespec.address();
    }
}
