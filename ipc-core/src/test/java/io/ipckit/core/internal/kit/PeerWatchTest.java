package io.ipckit.core.internal.kit;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.internal.wait.NativeBinding;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PeerWatch}: the kernel tells a wait when a process it watches exits, and wakes the futex word it sleeps on;
 * a process that is gone, or whose pid now names another process, is never watched; a pidfd lives only while some
 * wait watches its process.
 */
@Timeout(60)
class PeerWatchTest
{
    private static final String SLEEPER_NAME = "peer-watch-slee"; // a thread's name as /proc shows it (15 chars)

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @BeforeEach
    void bindTheSystemCalls()
    {
        NativeBinding.instance().bindSoon();
        Eventually.await("the futex calls bound", Duration.ofSeconds(30), () -> NativeBinding.instance().isBound());
    }

    @Test
    void shouldWakeAWaitAsleepOnItsFutexWordWhenTheWatchedProcessIsKilled() throws Exception
    {
        final Process peer = startSleeper();
        try (ResourceFile file = ResourceFile.create("bell", ResourceKind.TEST, 1, 0, DoorbellDescriptor.LENGTH, false,
            null))
        {
            final Doorbell bell = new Doorbell().wrap(file.buffer(), file.headerLength());
            final PeerWatch.Interest interest = new PeerWatch.Interest(bell.futexAddress());
            final long token = tokenOf(peer.pid());
            final int watchedBefore = PeerWatch.instance().watchedProcesses();
            assertEquals(PeerWatch.WATCHED, PeerWatch.instance().watch(token, interest));
            assertEquals(watchedBefore + 1, PeerWatch.instance().watchedProcesses());

            final AtomicReference<Object> outcome = new AtomicReference<>();
            final int sequence = bell.sequence();
            final Thread sleeper = new Thread(() ->
            {
                try
                {
                    outcome.set(bell.awaitChangeOnce(sequence, TimeUnit.MINUTES.toNanos(5)));
                }
                catch (final Throwable ex)
                {
                    outcome.set(ex);
                }
            }, SLEEPER_NAME + "per");
            sleeper.setDaemon(true);
            sleeper.start();
            Eventually.await("the sleeper asleep in the kernel on its futex word", Duration.ofSeconds(30),
                PeerWatchTest::sleeperInFutexWait);
            assertFalse(interest.exitNoticed());

            peer.destroyForcibly(); // SIGKILL
            sleeper.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(sleeper.isAlive(), "the exit woke the sleeper (its own timeout is 5 minutes)");
            assertEquals(Boolean.FALSE, outcome.get(), "woken, not rung: the sequence did not move");
            assertTrue(interest.exitNoticed());
            assertEquals(watchedBefore, PeerWatch.instance().watchedProcesses(), "an exited process is dropped");
            interest.clearExitNoticed();
            assertFalse(interest.exitNoticed());
            PeerWatch.instance().unwatch(token, interest); // after the report: nothing left to undo
        }
        finally
        {
            peer.destroyForcibly();
            peer.waitFor();
        }
    }

    @Test
    void shouldNotWatchAProcessThatIsGoneOrWhosePidNamesAnotherProcess() throws Exception
    {
        final Process peer = startSleeper();
        final PeerWatch.Interest interest = new PeerWatch.Interest(0L);
        final long openFds = openFileDescriptors();
        try
        {
            final long token = tokenOf(peer.pid());
            final long reused = token ^ (1L << 32); // same pid, another start time: the pid was reused
            assertEquals(PeerWatch.EXITED, PeerWatch.instance().watch(reused, interest));
            peer.destroyForcibly();
            peer.waitFor();
            assertEquals(PeerWatch.EXITED, PeerWatch.instance().watch(token, interest));
            assertEquals(openFds, openFileDescriptors(), "no pidfd is kept for a process not watched");
        }
        finally
        {
            peer.destroyForcibly();
            peer.waitFor();
        }
    }

    @Test
    void shouldKeepOnePidfdPerProcessWhileAnyWaitWatchesIt() throws Exception
    {
        final Process peer = startSleeper();
        try
        {
            final long token = tokenOf(peer.pid());
            final PeerWatch.Interest first = new PeerWatch.Interest(0L);
            final PeerWatch.Interest second = new PeerWatch.Interest(0L);
            final PeerWatch watch = PeerWatch.instance();
            assertEquals(PeerWatch.WATCHED, watch.watch(token, first)); // starts the watch thread the first time
            final long fdsWithOne = openFileDescriptors();
            assertEquals(PeerWatch.WATCHED, watch.watch(token, second));
            assertEquals(PeerWatch.WATCHED, watch.watch(token, second));
            assertEquals(fdsWithOne, openFileDescriptors(), "a second wait on the process shares its pidfd");

            watch.unwatch(token, first);
            assertEquals(fdsWithOne, openFileDescriptors(), "still watched for the second wait");
            watch.unwatch(token, second);
            assertEquals(fdsWithOne - 1, openFileDescriptors(), "the pidfd is closed with the last wait");
            watch.unwatch(token, second);
            assertFalse(first.exitNoticed() || second.exitNoticed());
        }
        finally
        {
            peer.destroyForcibly();
            peer.waitFor();
        }
    }

    /**
     * @return a process that sleeps 10 minutes, its standard streams not piped to this JVM (no descriptors here).
     */
    private static Process startSleeper() throws IOException
    {
        return new ProcessBuilder("sleep", "600")
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    }

    /**
     * HotSpot's exit waits up to 300 ms for threads in native code: the exit's hook ends the watching thread, tells the
     * waits (they look for themselves again) and watches nothing more. Run in a child, which it leaves unwatched.
     */
    @Test
    void shouldEndTheWatchingThreadAndTellTheWaitsWhenTheJvmExits() throws Exception
    {
        final io.ipckit.core.process.JvmProcess child = dir.start(PeerWatchExitChild.class);
        assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
        assertEquals(0, child.exitCode().orElseThrow(), "exit code names the check that failed: " + child);
    }

    /**
     * A JVM whose AOT cache is trained before it binds its system calls never watches a process: the cache must still
     * hold every class a watch needs, or a later JVM's first watch reads one from the class path (for a jar, the
     * jar's opening: tens of milliseconds). So the watch loads them when it is created, and a wait's class loads the
     * class that reports slow waits. Run in a child, whose class loading is logged.
     */
    @Test
    void shouldLoadTheClassesOfAWatchWhenCreatedBeforeTheSystemCallsAreBound() throws Exception
    {
        final Path log = dir.path().resolve("class-loading.log");
        final Path out = dir.path().resolve("child.out");
        final io.ipckit.core.process.JvmProcess child = dir.start(CreateOnly.class, new io.ipckit.core.process
            .ProcessOptions().environment("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log)
            .redirectOutput(out).redirectErrorStream(true));
        assertTrue(child.join(30, TimeUnit.SECONDS), child + " did not finish");
        assertEquals(0, child.exitCode().orElseThrow(), Files.readString(out));
        final String loaded = Files.readString(log);
        assertTrue(loaded.contains(" " + PeerWatch.class.getName() + " "), "the child created the watch");
        assertTrue(loaded.contains(" org.agrona.collections.Hashing "), "and loaded the hashing of its maps");
        assertTrue(loaded.contains(" " + io.ipckit.core.internal.jfr.JfrEvents.class.getName() + " "),
            "a wait's class loads the class that reports its slow waits (the same holds for a cache trained without " +
            "any wait that slept)");
    }

    /**
     * Child JVM: initializes the wait's class and creates the watch, before any binding of the system calls, and exits.
     */
    public static final class CreateOnly
    {
        private CreateOnly()
        {
        }

        public static void main(final String[] args) throws ClassNotFoundException
        {
            Class.forName(Waiter.class.getName(), true, CreateOnly.class.getClassLoader()); // initialized, no wait
            System.exit(NativeBinding.instance().isBound() || PeerWatch.instance().watchedProcesses() != 0 ? 1 : 0);
        }
    }

    private static long tokenOf(final long pid)
    {
        return OwnerToken.of(ProcessIdentity.of(pid).orElseThrow());
    }

    private static long openFileDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count() - 1; // the listing's own descriptor
        }
    }

    /**
     * @return true when the sleeper thread is blocked in the kernel's futex wait (its state and wait channel in
     * {@code /proc}), so that a wake cannot come before its sleep.
     */
    private static boolean sleeperInFutexWait()
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                if (Files.readString(task.resolve("comm")).trim().equals(SLEEPER_NAME))
                {
                    final String stat = Files.readString(task.resolve("stat"));
                    final char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    return state == 'S' && Files.readString(task.resolve("wchan")).contains("futex");
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return false; // the thread may have ended between the listing and the read
        }
    }
}
