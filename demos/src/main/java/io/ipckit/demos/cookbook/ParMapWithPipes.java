package io.ipckit.demos.cookbook;

import io.ipckit.core.ResourceName;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.pipe.Connection;
import io.ipckit.pipe.Pipe;
import io.ipckit.pipe.PipeOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Python: the notes' custom {@code parmap(f, X)}: one {@code Pipe()} and one {@code Process} per item; each child
 * sends {@code f(x)} back; the parent starts them all, joins them, and {@code recv}s the results. (Python's
 * {@code lambda x: x**x} only works there with the fork start method; here {@code f} is a method reference, and
 * {@code x**x} a {@code long}.) The parent receives before it joins: a child blocked on a full pipe would otherwise
 * never exit, in Java as in Python.
 */
public final class ParMapWithPipes
{
    private ParMapWithPipes()
    {
    }

    static long f(final long x)
    {
        long result = 1;
        for (int i = 0; i < x; i++)
        {
            result *= x;
        }
        return result;
    }

    static void spawn(final String pipeName, final long x) throws Exception
    {
        try (Connection pipe = Pipe.open(pipeName))
        {
            pipe.send(f(x));
        }
    }

    /**
     * @param args none.
     * @throws Exception when a child fails or the wait is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final List<Connection> pipes = new ArrayList<>();
        final List<JvmProcess> procs = new ArrayList<>();
        for (long x = 1; x < 5; x++)
        {
            final String name = ResourceName.random("parmap_");
            final long item = x;
            pipes.add(Pipe.create(name, new PipeOptions().duplex(true)));
            procs.add(JvmProcess.start(Child.of(() -> spawn(name, item))));
        }
        final List<Object> results = new ArrayList<>();
        for (final Connection pipe : pipes)
        {
            results.add(pipe.recv());
            pipe.close();
        }
        for (final JvmProcess p : procs)
        {
            p.join();
        }
        System.out.println(results); // [1, 4, 27, 256]
    }
}
