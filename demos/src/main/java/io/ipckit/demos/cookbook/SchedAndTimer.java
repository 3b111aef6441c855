package io.ipckit.demos.cookbook;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Python: {@code scheduler = sched.scheduler(); scheduler.enter(delay=5, priority=1, action=g, argument=('A',));
 * ...; scheduler.run()} and {@code threading.Timer(2, f).start()}. These are in-process tools with a JDK twin, not
 * a multiprocessing one: a single-threaded {@link ScheduledExecutorService} runs actions in delay order, one at a
 * time, as {@code sched} does (ties go in submission order: sched's priority tie-break has no JDK equivalent, so
 * submit ties in priority order). Delays are in tenths of the notes' seconds.
 */
public final class SchedAndTimer
{
    private SchedAndTimer()
    {
    }

    static void g(final String name)
    {
        System.out.print(name + " -> ");
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        scheduler.schedule(() -> g("A"), 500, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> g("D"), 200, TimeUnit.MILLISECONDS); // priority 1 before B's 3 at the same delay
        scheduler.schedule(() -> g("B"), 200, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> g("C"), 100, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> System.out.println("timer fired"), 600, TimeUnit.MILLISECONDS); // threading.Timer
        scheduler.shutdown(); // like scheduler.run(): delayed tasks still run, then the thread ends
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
}
