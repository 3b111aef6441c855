package io.ipckit.core.internal.kit;

import io.ipckit.core.internal.wait.NativeBinding;
import io.ipckit.core.process.ProcessIdentity;
import io.ipckit.core.testing.Eventually;

import java.time.Duration;

/**
 * Child JVM of {@link PeerWatchTest}: watches its parent, then runs what the exit's shutdown hook runs
 * ({@link PeerWatch#stopForExit()}) and checks that the watching thread has left its native wait, that the wait
 * watching was told, and that nothing is watched any more. Exits 0 when all hold, else a code naming the first that
 * did not.
 */
public final class PeerWatchExitChild
{
    private PeerWatchExitChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        NativeBinding.instance().bindSoon();
        try
        {
            Eventually.await("the futex calls bound", Duration.ofSeconds(30), () -> NativeBinding.instance().isBound());
        }
        catch (final AssertionError ex)
        {
            System.exit(10);
        }
        final PeerWatch watch = PeerWatch.instance();
        final long parent = OwnerToken.of(ProcessIdentity.of(ProcessHandle.current().parent().orElseThrow().pid())
            .orElseThrow());
        final PeerWatch.Interest interest = new PeerWatch.Interest(0L);
        if (watch.watch(parent, interest) != PeerWatch.WATCHED || !watch.isRunning())
        {
            System.exit(11);
        }
        watch.stopForExit();
        if (watch.isRunning())
        {
            System.exit(12); // still in epoll_pwait: the JVM's exit would wait 300 ms for it
        }
        if (!interest.exitNoticed() || watch.watchedProcesses() != 0)
        {
            System.exit(13); // the wait must look at its peers itself again
        }
        if (watch.watch(parent, new PeerWatch.Interest(0L)) != PeerWatch.UNAVAILABLE)
        {
            System.exit(14);
        }
        System.exit(0);
    }
}
