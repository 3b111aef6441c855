package io.ipckit.bench.harness.messaging;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} arguments the harness passes to a {@link WorkerMain}.
 */
public final class WorkerArgs
{
    /** The role: ping, pong, producer or consumer. */
    public static final String ROLE = "role";
    /** The transport's id or class name. */
    public static final String TRANSPORT = "transport";
    /** The fixture's spec. */
    public static final String SPEC = "spec";
    /** The control file's name. */
    public static final String CONTROL = "control";
    /** The result file's path. */
    public static final String RESULT = "result";
    /** The producer or consumer index (also its control slot and, for producers, its producer id). */
    public static final String INDEX = "index";
    /** The channel to send on or receive from. */
    public static final String CHANNEL = "channel";
    /** The message length in bytes. */
    public static final String LENGTH = "length";
    /** Warm-up time in nanoseconds from go. */
    public static final String WARMUP_NS = "warmupNs";
    /** Measured time in nanoseconds after the warm-up. */
    public static final String MEASURE_NS = "measureNs";
    /** Cap on messages per producer, 0 for none. */
    public static final String MAX_MESSAGES = "maxMessages";
    /** Messages per batch (producer), 1 for none. */
    public static final String BATCH = "batch";
    /** How many producers exist in total (ids 0 to n - 1). */
    public static final String PRODUCERS = "producers";
    /** Comma-separated producer slots whose messages this consumer's group shares. */
    public static final String GROUP_PRODUCERS = "groupProducers";
    /** Comma-separated consumer slots of this consumer's group (itself included). */
    public static final String GROUP_CONSUMERS = "groupConsumers";
    /** The {@link CheckMode}'s id: how much of each message is written and checked. */
    public static final String CHECK = "check";
    /** Worker budget in nanoseconds from its start. */
    public static final String BUDGET_NS = "budgetNs";

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @param args {@code key=value} strings.
     * @return the parsed arguments.
     * @throws IllegalArgumentException when one has no {@code =}.
     */
    public static WorkerArgs parse(final String... args)
    {
        final WorkerArgs parsed = new WorkerArgs();
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("worker argument \"" + arg + "\" is not key=value");
            }
            parsed.values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return parsed;
    }

    /**
     * @param key   a key.
     * @param value its value.
     * @return this.
     */
    public WorkerArgs with(final String key, final Object value)
    {
        values.put(key, String.valueOf(value));
        return this;
    }

    /**
     * @param key a key.
     * @return its value.
     * @throws IllegalArgumentException when absent.
     */
    public String get(final String key)
    {
        final String value = values.get(key);
        if (value == null)
        {
            throw new IllegalArgumentException("worker argument \"" + key + "\" is missing from " + values);
        }
        return value;
    }

    /**
     * @param key a key.
     * @return its value as a long.
     */
    public long getLong(final String key)
    {
        return Long.parseLong(get(key));
    }

    /**
     * @param key a key.
     * @return its value as an int.
     */
    public int getInt(final String key)
    {
        return Integer.parseInt(get(key));
    }

    /**
     * @param key a key.
     * @return its comma-separated ints.
     */
    public int[] getInts(final String key)
    {
        return Arrays.stream(get(key).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * @return the arguments as {@code key=value} strings.
     */
    public String[] toArgs()
    {
        final List<String> args = values.entrySet().stream().map((e) -> e.getKey() + "=" + e.getValue()).toList();
        return args.toArray(new String[0]);
    }

    @Override
    public String toString()
    {
        return values.toString();
    }
}
