package io.ipckit.demos.cookbook;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Python: the notes' "graceful way to kill all child processes": daemon {@code Process}es that sleep forever, and a
 * {@code finally} that {@code os.kill(p.pid, signal.SIGKILL)}s those still alive. {@link JvmProcess#kill()} is the
 * SIGKILL, {@link JvmProcess#terminate()} the SIGTERM (shutdown hooks run); a daemon child also dies when its
 * parent dies, even by SIGKILL (Python's daemons die only when the parent exits normally).
 */
public final class KillChildren
{
    private static final int NUM_PROCESS = 3;

    private KillChildren()
    {
    }

    static void aurora(final int n) throws InterruptedException
    {
        while (true)
        {
            Thread.sleep(1000L * n);
        }
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final List<JvmProcess> procs = new ArrayList<>();
        try
        {
            for (int x = 1; x <= NUM_PROCESS; x++)
            {
                final int n = x;
                procs.add(JvmProcess.start(Child.of(() -> aurora(n)), new ProcessOptions().daemon(true)));
            }
            // the notes join forever (until Ctrl-C); here: wait a moment, then go to the clean-up
            for (final JvmProcess p : procs)
            {
                p.join(200, TimeUnit.MILLISECONDS);
            }
        }
        finally
        {
            for (final JvmProcess p : procs)
            {
                if (p.isAlive())
                {
                    p.kill();
                }
            }
            for (final JvmProcess p : procs)
            {
                p.join();
                System.out.println("pid " + p.pid() + " exit code " + p.exitCode().getAsInt()); // -9: SIGKILL
            }
        }
    }
}
