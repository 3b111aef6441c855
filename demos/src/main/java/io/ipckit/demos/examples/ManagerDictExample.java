package io.ipckit.demos.examples;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.manager.Manager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;

/**
 * The Python notes' {@code multiprocessing.Manager()} example in Java: {@code runInParallel} starts a manager,
 * makes a managed dict {@code res}, starts one JVM per named function with {@code res} among its arguments, joins
 * them, and returns what they wrote ({@code {1: 1, 2: 2}}).
 * <pre>
 *   manager = multiprocessing.Manager()        Manager manager = Manager.start("results")
 *   res = manager.dict()                       ConcurrentMap&lt;Integer, Integer&gt; res = manager.dict()
 *   p = Process(target=func, args=(a, res))    JvmProcess.start(() -&gt; func.accept(a, res))
 *   res.update({a: 1})                         res.put(a, 1)
 * </pre>
 */
public final class ManagerDictExample
{
    /** The functions the notes look up by name ({@code getattr(sys.modules[__name__], d)}). */
    private static final Map<String, BiConsumer<Integer, Map<Integer, Integer>>> FUNCTIONS = Map.of(
        "func1", ManagerDictExample::func1,
        "func2", ManagerDictExample::func2);

    private ManagerDictExample()
    {
    }

    /**
     * The notes' {@code func1}: busy for a while, then records {@code a: 1}.
     *
     * @param a   the key.
     * @param res the managed dict.
     */
    public static void func1(final Integer a, final Map<Integer, Integer> res)
    {
        System.out.println("func1: starting");
        spin();
        System.out.println("func1: finishing");
        res.put(a, 1);
        System.out.println("appended");
    }

    /**
     * The notes' {@code func2}: busy for a while, then records {@code a: 2}.
     *
     * @param a   the key.
     * @param res the managed dict.
     */
    public static void func2(final Integer a, final Map<Integer, Integer> res)
    {
        System.out.println("func2: starting");
        spin();
        System.out.println("func2: finishing");
        res.put(a, 2);
        System.out.println("appended");
    }

    private static void spin()
    {
        long x = 0;
        for (int i = 0; i < 10_000_000; i++)
        {
            x += i;
        }
        if (x == 42)
        {
            System.out.println("never");
        }
    }

    /**
     * Runs each named function in a JVM of its own with its argument and a managed dict, and returns the dict's
     * contents once all have finished.
     *
     * @param dict function name to its argument.
     * @return what the functions wrote, sorted by key.
     * @throws InterruptedException when interrupted while joining the children.
     */
    public static Map<Integer, Integer> runInParallel(final Map<String, Integer> dict) throws InterruptedException
    {
        try (Manager manager = Manager.start("results"))
        {
            final ConcurrentMap<Integer, Integer> res = manager.dict();
            final List<JvmProcess> procs = new ArrayList<>();
            for (final Map.Entry<String, Integer> d : dict.entrySet())
            {
                final String name = d.getKey();
                final Integer a = d.getValue();
                procs.add(JvmProcess.start((SerializableRunnable)() -> FUNCTIONS.get(name).accept(a, res)));
            }
            for (final JvmProcess p : procs)
            {
                if (p.join() != 0)
                {
                    throw new IllegalStateException(p + " failed with exit code " + p.exitCode());
                }
            }
            final Map<Integer, Integer> ans = new TreeMap<>(res);
            manager.shutdown();
            return ans;
        }
    }

    /**
     * @param args unused.
     * @throws InterruptedException when interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final Map<String, Integer> dict = new LinkedHashMap<>();
        dict.put("func1", 1);
        dict.put("func2", 2);
        final Map<Integer, Integer> ans = runInParallel(dict);
        System.out.println(ans);
    }
}
