package io.ipckit.core.process;

import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmProcessTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldReportMinusNineWhenKilled() throws Exception
    {
        final JvmProcess child = dir.start(Sleeper.class, new ProcessOptions().daemon(true));
        assertTrue(child.isAlive());
        assertEquals(OptionalInt.empty(), child.exitCode());
        assertFalse(child.join(50, TimeUnit.MILLISECONDS), "a sleeping child is still running");
        child.kill();
        assertTrue(child.join(10, TimeUnit.SECONDS));
        assertEquals(-9, child.exitCode().getAsInt());
        assertFalse(child.isAlive());
        assertTrue(child.toString().contains("exitCode -9"), child.toString());
    }

    @Test
    void shouldReportMinusFifteenWhenTerminated() throws Exception
    {
        final JvmProcess child = dir.start(Sleeper.class, new ProcessOptions().daemon(true));
        child.terminate();
        assertTrue(child.join(10, TimeUnit.SECONDS));
        assertEquals(-15, child.exitCode().getAsInt());
    }

    @Test
    void shouldRunASerializableLambdaAndReportItsExitStatus() throws Exception
    {
        final Path out = dir.path().resolve("lambda.out");
        final String text = "hello from a lambda";
        final JvmProcess ok = dir.start((SerializableRunnable)() -> System.out.println(text), new ProcessOptions()
            .redirectOutput(out));
        assertEquals(0, ok.join());
        assertEquals(text, Files.readString(out).strip());

        final JvmProcess failing = dir.start((SerializableRunnable)() ->
        {
            throw new IllegalStateException("deliberate");
        }, new ProcessOptions().redirectErrorStream(true).redirectOutput(out));
        assertEquals(1, failing.join());
        assertTrue(Files.readString(out).contains("IllegalStateException: deliberate"));

        final JvmProcess exiting = dir.start((SerializableRunnable)() -> System.exit(3));
        assertEquals(3, exiting.join());
    }

    @Test
    void shouldPassArgumentsAndTheSharedDirectoryToAClassTarget() throws Exception
    {
        final Path out = dir.path().resolve("args.out");
        final JvmProcess child = dir.start(PrintArgs.class, new ProcessOptions().args("a", "b c").redirectOutput(out));
        assertEquals(0, child.join());
        assertEquals("[a, b c] " + dir.path(), Files.readString(out).strip());
    }

    @Test
    void shouldStartADelayedJvmInTheProcessItReturnedAndKillItWhileItWaits() throws Exception
    {
        final Path out = dir.path().resolve("delayed.out");
        final JvmProcess child = dir.start(PrintPid.class, new ProcessOptions().args("a", "b c", "$HOME")
            .startDelay(100, TimeUnit.MILLISECONDS).redirectOutput(out));
        assertEquals(0, child.join());
        assertEquals(child.pid() + " [a, b c, $HOME]", Files.readString(out).strip(),
            "the JVM runs in the process JvmProcess returned, with its arguments untouched by the shell");

        final JvmProcess waiting = dir.start(PrintPid.class, new ProcessOptions().startDelay(10, TimeUnit.SECONDS)
            .redirectOutput(out));
        assertTrue(waiting.isAlive());
        waiting.kill();
        assertTrue(waiting.join(5, TimeUnit.SECONDS), "killed while it waits, long before its JVM would start");
        assertEquals(-9, waiting.exitCode().getAsInt());
    }

    @Test
    void shouldRunTheMainOfANonPublicClassAndExitOneWhenItThrows() throws Exception
    {
        final Path out = dir.path().resolve("throwing.out");
        final JvmProcess child = dir.start(ThrowingMain.class, new ProcessOptions().args("deliberately")
            .redirectErrorStream(true).redirectOutput(out));
        assertEquals(1, child.join());
        final String printed = Files.readString(out);
        assertTrue(printed.contains("java.io.IOException: deliberately"), printed);
        assertFalse(printed.contains("InvocationTargetException"), "the target's own exception is printed: " + printed);
    }

    @Test
    void shouldInitialiseAgronasBufferUtilBesideAChildsMainThread() throws Exception
    {
        final JvmProcess child = dir.start(AwaitBufferUtil.class, new ProcessOptions().daemon(true));
        assertEquals(0, child.join(), "BufferUtil was initialised without the target touching it");
    }

    @Test
    void shouldKillADaemonChildWhenItsParentIsKilled() throws Exception
    {
        final Duration took = killParentOfDaemonGrandchild("pids");
        assertTrue(took.toMillis() < 1000, "daemon child took " + took.toMillis() + " ms to die (bound: 1 s)");
    }

    /**
     * A daemon child whose system calls are bound has its watchdog park on the kernel's watch of the parent
     * ({@code PeerWatch}) instead of reading {@code /proc} 20 times a second: the parent's death still ends it.
     */
    @Test
    void shouldKillADaemonChildWhoseWatchdogWatchesItsParent() throws Exception
    {
        killParentOfDaemonGrandchild("pids", "watched");
    }

    /**
     * Starts {@link DaemonParent} with {@code args}, kills it once its daemon child reported its pid, and waits for
     * that grandchild to die.
     *
     * @return how long the grandchild took to die after its parent was reaped.
     */
    private Duration killParentOfDaemonGrandchild(final String... args) throws Exception
    {
        try (ResourceFile file = ResourceFile.create("pids", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final int data = file.headerLength();
            final JvmProcess middle = dir.start(DaemonParent.class, args);
            Eventually.await("the daemon grandchild reports its pid", Duration.ofSeconds(30),
                () -> file.buffer().getLongAcquire(data) != 0);
            final ProcessIdentity grandchild = ProcessIdentity.of(file.buffer().getLongAcquire(data)).orElseThrow();
            assertTrue(grandchild.isAlive());

            middle.kill();
            assertTrue(middle.join(10, TimeUnit.SECONDS));
            // ProcessIdentity counts a zombie as dead: the orphan is reaped by init whenever init gets to it
            final Duration took = Eventually.await("the daemon grandchild dies with its parent", Duration.ofSeconds(10),
                () -> !grandchild.isAlive());
            file.unlink();
            return took;
        }
    }

    @Test
    void shouldKeepANonDaemonChildAliveWhenItsParentIsKilled() throws Exception
    {
        try (ResourceFile file = ResourceFile.create("pids", ResourceKind.TEST, 1, 0, 64, false, null))
        {
            final int data = file.headerLength();
            final JvmProcess middle = dir.start(DaemonParent.class, "pids", "non-daemon");
            Eventually.await("the grandchild reports its pid", Duration.ofSeconds(30),
                () -> file.buffer().getLongAcquire(data) != 0);
            final ProcessHandle grandchild = ProcessHandle.of(file.buffer().getLongAcquire(data)).orElseThrow();
            try
            {
                middle.kill();
                assertTrue(middle.join(10, TimeUnit.SECONDS));
                assertTrue(grandchild.isAlive(), "a non-daemon child outlives its parent, as in Python");
            }
            finally
            {
                grandchild.destroyForcibly();
                grandchild.onExit().get(10, TimeUnit.SECONDS);
            }
            file.unlink();
        }
    }

    @Test
    void shouldIdentifyProcessesByPidAndStartTime()
    {
        final ProcessIdentity self = ProcessIdentity.current();
        assertEquals(ProcessHandle.current().pid(), self.pid());
        assertTrue(self.isAlive());
        assertEquals(self, ProcessIdentity.parse(self.toString()));
        assertFalse(new ProcessIdentity(self.pid(), self.startTime() + 1).isAlive(), "same pid, other start: reused");
        assertEquals(Optional.empty(), ProcessIdentity.of(Integer.MAX_VALUE - 1L));
    }

    /**
     * Sleeps until killed.
     */
    public static final class Sleeper
    {
        public static void main(final String[] args) throws InterruptedException
        {
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    /**
     * Prints its arguments and shared directory.
     */
    public static final class AwaitBufferUtil
    {
        public static void main(final String[] args) throws Exception
        {
            final Class<?> type = Class.forName("org.agrona.BufferUtil", false, AwaitBufferUtil.class.getClassLoader());
            // the JDK's own "is this class initialised yet" (exported to ipckit's JVMs), without initialising it
            final Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
            final Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
            final java.lang.reflect.Method uninitialised = unsafeType.getMethod("shouldBeInitialized", Class.class);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((Boolean)uninitialised.invoke(unsafe, type))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    System.exit(1);
                }
                Thread.onSpinWait();
            }
        }
    }

    static final class ThrowingMain
    {
        public static void main(final String[] args) throws java.io.IOException
        {
            throw new java.io.IOException(args[0]);
        }
    }

    public static final class PrintPid
    {
        public static void main(final String[] args)
        {
            System.out.println(ProcessHandle.current().pid() + " " + java.util.Arrays.toString(args));
        }
    }

    public static final class PrintArgs
    {
        public static void main(final String[] args)
        {
            System.out.println(java.util.Arrays.toString(args) + " " + io.ipckit.core.SharedDirectory.path());
        }
    }

    /**
     * Starts a (daemon unless args[1] is given) child that writes its pid into resource args[0], then sleeps.
     */
    public static final class DaemonParent
    {
        public static void main(final String[] args) throws InterruptedException
        {
            final boolean watched = args.length > 1 && args[1].equals("watched");
            final boolean daemon = args.length < 2 || watched;
            JvmProcess.start((SerializableRunnable)() ->
            {
                if (watched)
                {
                    // the watchdog hands the parent to the kernel once this JVM's system calls are bound
                    io.ipckit.core.internal.wait.NativeBinding.instance().bindSoon();
                    Eventually.await("the watchdog watches the parent", Duration.ofSeconds(30),
                        () -> io.ipckit.core.internal.kit.PeerWatch.instance().watchedProcesses() == 1);
                }
                try (ResourceFile file = ResourceFile.open(args[0], ResourceKind.TEST, 1))
                {
                    file.buffer().putLongRelease(file.headerLength(), ProcessHandle.current().pid());
                }
                try
                {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                }
                catch (final InterruptedException ignore)
                {
                    // exit
                }
            }, new ProcessOptions().daemon(daemon));
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
