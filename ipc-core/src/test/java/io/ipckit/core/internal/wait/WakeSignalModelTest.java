package io.ipckit.core.internal.wait;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An exhaustive check of every interleaving of a small model of {@link WakeSignal}'s flagged protocol
 * ({@link WakeSignal#awaitChangeFlagged}, {@link WakeSignal#signalAllFlagged}): sleepers and ringers whose every
 * shared-memory access and system call is one atomic step, as in the code:
 * <pre>
 * sleeper: observed = word &amp; ~1                    (flaggedSequence)
 *          loop: w = word                             (getIntVolatile)
 *                if (w &amp; ~1) != observed: done
 *                if (w &amp; 1) == 0: CAS(word, w, w | 1), on failure loop
 *                futex_wait(word, w | 1): sleeps only while word == w | 1, else loop; once woken, loop
 * ringer:  w = getAndAdd(word, 2) + 2
 *          while (w &amp; 1) != 0: if CAS(word, w, w &amp; ~1): futex_wake(all), done; else w = word
 * </pre>
 * The kernel's sleep timeouts (slices) are left out, so a lost wake-up shows as a sleeper asleep for ever.
 * <p>
 * The property: in every final state (no step possible) no sleeper is asleep while the counter differs from the one
 * it observed, i.e. no sleeper stays asleep after a ring that followed its read. The same checker is shown to find
 * the lost wake-up, with the interleaving that leads to it, in two deliberately broken models: the ringer's wake
 * removed, and the ringer reading the flag before its add.
 */
class WakeSignalModelTest
{
    private static final int SLEEPERS = 2;
    private static final int WAITS_PER_SLEEPER = 2;
    private static final int RINGS_PER_RINGER = 2;

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldNeverLoseAWakeUpInAnyInterleaving(final int ringers)
    {
        final Result result = new Model(Variant.FAITHFUL, SLEEPERS, ringers).explore();
        assertNull(result.counterexample, () -> "lost wake-up:\n" + String.join("\n", result.counterexample));
        assertTrue(result.states > 1_000, "explored " + result.states + " states");
        assertTrue(result.finalStatesAllDone > 0, "some interleavings end with every sleeper woken");
        assertTrue(result.finalStatesWithSleeper > 0,
            "some end with a sleeper that read the counter after the last ring, legitimately asleep");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldFindTheLostWakeUpWhenTheRingerDoesNotWake(final int ringers)
    {
        final Result result = new Model(Variant.WAKE_REMOVED, SLEEPERS, ringers).explore();
        assertNotNull(result.counterexample, "the checker must fail a model without the wake");
        assertTrue(result.counterexample.getLast().contains("asleep after a ring"), result.counterexample.getLast());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldFindTheLostWakeUpWhenTheRingerReadsTheFlagBeforeItsAdd(final int ringers)
    {
        final Result result = new Model(Variant.FLAG_READ_BEFORE_ADD, SLEEPERS, ringers).explore();
        assertNotNull(result.counterexample, "the checker must fail a ringer that tests the flag too early");
        assertFalse(result.counterexample.isEmpty());
    }

    enum Variant
    {
        /** As {@link WakeSignal} does it. */
        FAITHFUL,
        /** The ringer clears the flag but makes no futex wake. */
        WAKE_REMOVED,
        /** The ringer tests (and clears) the flag first and adds to the counter after. */
        FLAG_READ_BEFORE_ADD
    }

    record Result(int states, int finalStatesAllDone, int finalStatesWithSleeper, List<String> counterexample)
    {
    }

    /**
     * The model. A state is an int array: the word, then per sleeper {pc, observed, local word, waits done}, then per
     * ringer {pc, local word, rings done}.
     */
    static final class Model
    {
        // sleeper program counters
        static final int S_OBSERVE = 0;
        static final int S_LOAD = 1;
        static final int S_CAS = 2;
        static final int S_WAIT = 3;
        static final int S_ASLEEP = 4;
        // ringer program counters
        static final int R_ADD = 0;
        static final int R_CHECK = 1;
        static final int R_RELOAD = 2;
        static final int R_WAKE = 3;
        static final int R_LATE_ADD = 4;

        private static final int FLAG = 1;
        private static final int STEP = 2;
        private static final int SLEEPER_FIELDS = 4;
        private static final int RINGER_FIELDS = 3;

        private final Variant variant;
        private final int sleepers;
        private final int ringers;

        Model(final Variant variant, final int sleepers, final int ringers)
        {
            this.variant = variant;
            this.sleepers = sleepers;
            this.ringers = ringers;
        }

        Result explore()
        {
            final int[] initial = new int[1 + sleepers * SLEEPER_FIELDS + ringers * RINGER_FIELDS];
            final Map<List<Integer>, List<Integer>> parents = new HashMap<>();
            final Map<List<Integer>, String> moves = new HashMap<>();
            final ArrayDeque<int[]> frontier = new ArrayDeque<>();
            parents.put(key(initial), null);
            frontier.add(initial);
            int allDone = 0;
            int withSleeper = 0;
            while (!frontier.isEmpty())
            {
                final int[] state = frontier.poll();
                final List<int[]> next = new ArrayList<>();
                final List<String> labels = new ArrayList<>();
                for (int s = 0; s < sleepers; s++)
                {
                    final int[] after = sleeperStep(state, s);
                    if (after != null)
                    {
                        next.add(after);
                        labels.add("sleeper " + s + ": " + sleeperMove(state, s));
                    }
                }
                for (int r = 0; r < ringers; r++)
                {
                    final int[] after = ringerStep(state, r);
                    if (after != null)
                    {
                        next.add(after);
                        labels.add("ringer " + r + ": " + ringerMove(state, r));
                    }
                }
                if (next.isEmpty())
                {
                    final String violation = violation(state);
                    if (violation != null)
                    {
                        final List<String> trace = trace(key(state), parents, moves);
                        trace.add(violation);
                        return new Result(parents.size(), allDone, withSleeper, trace);
                    }
                    boolean anyAsleep = false;
                    for (int s = 0; s < sleepers; s++)
                    {
                        anyAsleep |= state[sleeperBase(s)] == S_ASLEEP;
                    }
                    if (anyAsleep)
                    {
                        withSleeper++;
                    }
                    else
                    {
                        allDone++;
                    }
                    continue;
                }
                for (int i = 0; i < next.size(); i++)
                {
                    final List<Integer> k = key(next.get(i));
                    if (!parents.containsKey(k))
                    {
                        parents.put(k, key(state));
                        moves.put(k, labels.get(i) + "  -> " + describe(next.get(i)));
                        frontier.add(next.get(i));
                    }
                }
            }
            return new Result(parents.size(), allDone, withSleeper, null);
        }

        private String violation(final int[] state)
        {
            for (int s = 0; s < sleepers; s++)
            {
                final int base = sleeperBase(s);
                if (state[base] == S_ASLEEP && (state[0] & ~FLAG) != state[base + 1])
                {
                    return "sleeper " + s + " stays asleep after a ring that followed its read: observed " +
                        state[base + 1] + ", counter now " + (state[0] & ~FLAG);
                }
            }
            return null;
        }

        private int[] sleeperStep(final int[] state, final int s)
        {
            final int base = sleeperBase(s);
            final int[] next = state.clone();
            final int word = state[0];
            switch (state[base])
            {
                case S_OBSERVE ->
                {
                    if (state[base + 3] == WAITS_PER_SLEEPER)
                    {
                        return null; // this sleeper has waited enough times
                    }
                    next[base + 1] = word & ~FLAG;
                    next[base] = S_LOAD;
                }
                case S_LOAD ->
                {
                    if ((word & ~FLAG) != state[base + 1])
                    {
                        // the wait returns; the sleeper waits again for a later ring
                        next[base] = S_OBSERVE;
                        next[base + 1] = 0;
                        next[base + 2] = 0;
                        next[base + 3] = state[base + 3] + 1;
                    }
                    else
                    {
                        next[base + 2] = word;
                        next[base] = (word & FLAG) == 0 ? S_CAS : S_WAIT;
                    }
                }
                case S_CAS ->
                {
                    final int expected = state[base + 2];
                    if (word == expected)
                    {
                        next[0] = expected | FLAG;
                        next[base + 2] = expected | FLAG;
                        next[base] = S_WAIT;
                    }
                    else
                    {
                        next[base] = S_LOAD;
                    }
                }
                case S_WAIT -> next[base] = word == state[base + 2] ? S_ASLEEP : S_LOAD; // futex_wait compares
                default ->
                {
                    return null; // asleep: only a wake moves it
                }
            }
            return next;
        }

        private int[] ringerStep(final int[] state, final int r)
        {
            final int base = ringerBase(r);
            final int[] next = state.clone();
            final int word = state[0];
            final boolean late = variant == Variant.FLAG_READ_BEFORE_ADD;
            switch (state[base])
            {
                case R_ADD ->
                {
                    if (state[base + 2] == RINGS_PER_RINGER)
                    {
                        return null; // this ringer has rung enough times
                    }
                    if (late)
                    {
                        next[base + 1] = word; // the broken ringer reads first and adds after the flag test
                    }
                    else
                    {
                        next[0] = word + STEP;
                        next[base + 1] = word + STEP;
                    }
                    next[base] = R_CHECK;
                }
                case R_CHECK ->
                {
                    final int local = state[base + 1];
                    if ((local & FLAG) == 0)
                    {
                        return late ? at(next, base, R_LATE_ADD) : ringDone(next, base);
                    }
                    if (word == local)
                    {
                        next[0] = local & ~FLAG;
                        next[base] = R_WAKE;
                    }
                    else
                    {
                        next[base] = R_RELOAD;
                    }
                }
                case R_RELOAD ->
                {
                    next[base + 1] = word;
                    next[base] = R_CHECK;
                }
                case R_WAKE ->
                {
                    if (variant != Variant.WAKE_REMOVED)
                    {
                        for (int s = 0; s < sleepers; s++)
                        {
                            if (next[sleeperBase(s)] == S_ASLEEP)
                            {
                                next[sleeperBase(s)] = S_LOAD;
                            }
                        }
                    }
                    return late ? at(next, base, R_LATE_ADD) : ringDone(next, base);
                }
                case R_LATE_ADD ->
                {
                    next[0] = word + STEP;
                    return ringDone(next, base);
                }
                default -> throw new IllegalStateException("ringer pc " + state[base]);
            }
            return next;
        }

        private static int[] at(final int[] next, final int base, final int pc)
        {
            next[base] = pc;
            return next;
        }

        private static int[] ringDone(final int[] next, final int base)
        {
            next[base] = R_ADD;
            next[base + 1] = 0;
            next[base + 2]++;
            return next;
        }

        private String sleeperMove(final int[] state, final int s)
        {
            return switch (state[sleeperBase(s)])
            {
                case S_OBSERVE -> "reads the sequence";
                case S_LOAD -> "loads the word (returns when the counter moved)";
                case S_CAS -> "CASes the flag in";
                case S_WAIT -> "futex_wait";
                default -> "?";
            };
        }

        private String ringerMove(final int[] state, final int r)
        {
            return switch (state[ringerBase(r)])
            {
                case R_ADD -> variant == Variant.FLAG_READ_BEFORE_ADD ? "reads the word" : "adds 2";
                case R_CHECK -> "tests the flag / CASes it clear";
                case R_RELOAD -> "reloads the word";
                case R_WAKE -> variant == Variant.WAKE_REMOVED ? "(no wake)" : "futex_wake(all)";
                case R_LATE_ADD -> "adds 2";
                default -> "?";
            };
        }

        private String describe(final int[] state)
        {
            final StringBuilder text = new StringBuilder("word=").append(state[0]);
            for (int s = 0; s < sleepers; s++)
            {
                final int base = sleeperBase(s);
                text.append(" S").append(s).append("{pc=").append(state[base]).append(",obs=").append(state[base + 1])
                    .append('}');
            }
            return text.toString();
        }

        private List<String> trace(final List<Integer> last, final Map<List<Integer>, List<Integer>> parents,
            final Map<List<Integer>, String> moves)
        {
            final ArrayDeque<String> steps = new ArrayDeque<>();
            List<Integer> at = last;
            while (parents.get(at) != null)
            {
                steps.addFirst(moves.get(at));
                at = parents.get(at);
            }
            return new ArrayList<>(steps);
        }

        private static int sleeperBase(final int s)
        {
            return 1 + s * SLEEPER_FIELDS;
        }

        private int ringerBase(final int r)
        {
            return 1 + sleepers * SLEEPER_FIELDS + r * RINGER_FIELDS;
        }

        private static List<Integer> key(final int[] state)
        {
            return Arrays.stream(state).boxed().toList();
        }
    }
}
