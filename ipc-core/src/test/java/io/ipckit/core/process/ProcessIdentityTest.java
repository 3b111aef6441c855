package io.ipckit.core.process;

import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A process is dead only on proof: a liveness check made while this process is out of file descriptors, where
 * {@code /proc/<pid>/stat} cannot be opened, takes a live process as alive (a dead owner's locks are taken over), and a
 * gone one as dead.
 */
class ProcessIdentityTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldTellAliveFromGone() throws Exception
    {
        final ProcessIdentity self = ProcessIdentity.current();
        assertTrue(self.isAlive());
        assertEquals(self.startTime(), ProcessIdentity.startTimeOf(self.pid()));
        final ProcessIdentity gone = goneProcess();
        assertFalse(gone.isAlive());
        assertEquals(ProcessIdentity.GONE, ProcessIdentity.startTimeOf(gone.pid()));
        assertFalse(new ProcessIdentity(self.pid(), self.startTime() + 1).isAlive(), "another start time");
        assertFalse(OwnerToken.isAlive(OwnerToken.of(gone)));
    }

    /**
     * A child JVM limited to 256 file descriptors opens files until none is left, then checks this JVM's identity,
     * and a gone process's: it writes what it found to a file it opened before.
     */
    @Test
    void shouldTakeAProcessAsAliveWhenItsEntryCannotBeOpened() throws Exception
    {
        assumeTrue(Files.isRegularFile(Path.of("/proc/self/stat")), "needs Linux's /proc");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux) to limit the child");
        final ProcessIdentity self = ProcessIdentity.current();
        final ProcessIdentity gone = goneProcess();
        final Path report = dir.path().resolve("report");
        final JvmProcess child = dir.start(OutOfDescriptors.class, new ProcessOptions()
            .launcher("/usr/bin/prlimit", "--nofile=256:256")
            .args(report.toString(), Long.toString(self.pid()), Long.toString(self.startTime()),
                Long.toString(gone.pid()), Long.toString(gone.startTime())));
        assertTrue(child.join(60, TimeUnit.SECONDS), "the child ended");
        final String found = Files.exists(report) ? Files.readString(report) : "no report";
        assertEquals(0, child.exitCode().orElse(-1), found);
        assertEquals("exhausted=true unknown=true alive=true tokenAlive=true goneAlive=false", found.strip());
    }

    private static ProcessIdentity goneProcess() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        final ProcessIdentity identity = ProcessIdentity.of(process.pid())
            .orElse(new ProcessIdentity(process.pid(), 1));
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return identity;
    }

    /**
     * Args: report file, then pid and start time of a live process, then of a gone one.
     */
    public static final class OutOfDescriptors
    {
        /**
         * Opens files until none can be opened.
         *
         * @return true when the descriptors ran out (within a bound far above the child's limit).
         */
        static boolean exhaust(final List<FileInputStream> held)
        {
            try
            {
                for (int i = 0; i < 1_000; i++)
                {
                    held.add(new FileInputStream("/dev/null"));
                }
                return false;
            }
            catch (final IOException ex)
            {
                return true;
            }
        }

        public static void main(final String[] args) throws Exception
        {
            final ProcessIdentity live = new ProcessIdentity(Long.parseLong(args[1]), Long.parseLong(args[2]));
            final ProcessIdentity gone = new ProcessIdentity(Long.parseLong(args[3]), Long.parseLong(args[4]));
            final long liveToken = OwnerToken.of(live);
            try (var out = Files.newBufferedWriter(Path.of(args[0])))
            {
                final List<FileInputStream> held = new ArrayList<>();
                // each look is made right after the descriptors are used up again: a thread of the JVM may close one
                boolean exhausted = exhaust(held);
                final boolean unknown = ProcessIdentity.startTimeOf(live.pid()) == ProcessIdentity.UNKNOWN;
                exhausted &= exhaust(held);
                final boolean alive = live.isAlive();
                exhausted &= exhaust(held);
                final boolean tokenAlive = OwnerToken.isAlive(liveToken);
                exhausted &= exhaust(held);
                final boolean goneAlive = gone.isAlive();
                for (final FileInputStream in : held)
                {
                    in.close();
                }
                out.write("exhausted=" + exhausted + " unknown=" + unknown + " alive=" + alive + " tokenAlive=" +
                    tokenAlive + " goneAlive=" + goneAlive + "\n");
            }
        }
    }
}
