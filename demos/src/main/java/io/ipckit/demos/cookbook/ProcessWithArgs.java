package io.ipckit.demos.cookbook;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;

import java.util.List;

/**
 * Python: {@code p1 = Process(target=f1, args=('bob',)); p1.start(); ...; for p in procs: p.join()} (and
 * {@code Process(target=do_smthg, args=(val,))}, {@code someFunctionA(1)} in the parent beside the child's
 * {@code someFunctionA(2)}). Each child is a JVM; its arguments are captured by a serializable lambda, as Python
 * pickles {@code args}; {@code exitCode()} follows Python's {@code exitcode} (negative signal number when killed).
 */
public final class ProcessWithArgs
{
    private ProcessWithArgs()
    {
    }

    /**
     * The target: runs in a child JVM.
     *
     * @param name who to greet.
     */
    static void hello(final String name)
    {
        System.out.println("hello " + name + " from pid " + ProcessHandle.current().pid());
    }

    /**
     * @param args none.
     * @throws InterruptedException when interrupted while joining.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final JvmProcess p1 = JvmProcess.start(Child.of(() -> hello("bob")), new ProcessOptions().name("p1"));
        final JvmProcess p2 = JvmProcess.start(Child.of(() -> hello("jerry")), new ProcessOptions().name("p2"));
        hello("main");
        for (final JvmProcess p : List.of(p1, p2))
        {
            p.join();
            System.out.println(p.name() + " (pid " + p.pid() + ") exited with " + p.exitCode().getAsInt());
        }
    }
}
