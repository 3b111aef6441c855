package io.ipckit.bench.harness;

/**
 * The workloads of the design's target table, each measured on every contestant that supports it.
 */
public enum Workload
{
    /** Ping-pong of a 32-byte message between two processes; headline p50, with the full distribution. */
    ROUND_TRIP_32B("rtt-32b", "Round trip, 32 B", Unit.NANOSECONDS, 32),
    /** One producer process to one consumer process, 64-byte messages sent one by one; messages per second. */
    THROUGHPUT_1_TO_1_64B("tput-1to1-64b", "1 → 1 throughput, 64 B", Unit.PER_SECOND, 64),
    /** As {@link #THROUGHPUT_1_TO_1_64B} through the transport's batch form. */
    THROUGHPUT_1_TO_1_64B_BATCH("tput-1to1-64b-batch", "1 → 1 throughput, 64 B, batched", Unit.PER_SECOND, 64),
    /** Two producer processes to two consumer processes, 64-byte messages; total messages per second. */
    THROUGHPUT_2_TO_2_64B("tput-2to2-64b", "2 → 2 throughput, 64 B (total)", Unit.PER_SECOND, 64),
    /** A 64 MiB array handed to another process, which attaches and sums it; time from hand-off to sum. */
    ARRAY_HANDOFF_64MIB("array-64mib", "64 MiB array to another process, attach + sum", Unit.NANOSECONDS, 64 << 20),
    /** Two processes incrementing a shared counter under a lock; increments per second in total. */
    LOCK_INCREMENT_2_PROCESSES("lock-2proc", "Lock, 2 processes incrementing a counter", Unit.PER_SECOND, 8),
    /** One operation on a dictionary held by a manager process; time per operation. */
    MANAGER_DICT_OPERATION("manager-dict", "Manager dict, one operation", Unit.NANOSECONDS, 8),
    /** A durable manager killed by SIGKILL and started again: journal entries replayed per second. */
    MANAGER_REPLAY("manager-replay", "Durable manager, journal replay on restart", Unit.PER_SECOND, 8),
    /** Shared dict, 8 B keys and 64 B values, 1 writer + 1 reader process; reader get latency (the dict's issue). */
    DICT_GET_1W1R("dict-get-1w1r", "Dict get, 8 B keys, 64 B values, 1 writer + 1 reader", Unit.NANOSECONDS, 64),
    /** As {@link #DICT_GET_1W1R}, the writer's put latency. */
    DICT_PUT_1W1R("dict-put-1w1r", "Dict put, 8 B keys, 64 B values, 1 writer + 1 reader", Unit.NANOSECONDS, 64),
    /** As {@link #DICT_GET_1W1R} with 2 writers + 2 readers. */
    DICT_GET_2W2R("dict-get-2w2r", "Dict get, 8 B keys, 64 B values, 2 writers + 2 readers", Unit.NANOSECONDS, 64),
    /** As {@link #DICT_PUT_1W1R} with 2 writers + 2 readers. */
    DICT_PUT_2W2R("dict-put-2w2r", "Dict put, 8 B keys, 64 B values, 2 writers + 2 readers", Unit.NANOSECONDS, 64),
    /** A process pool running one small task per message; time per task. */
    POOL_TASK("pool-task", "Pool, one task per message", Unit.NANOSECONDS, 8),
    /** A process pool mapping a small function over 100,000 items with the default chunk size; time per item. */
    POOL_MAP_DEFAULT("pool-map-default", "Pool map, 100,000 items, default chunking", Unit.NANOSECONDS, 8),
    /** Creating a pool of two workers until the first result of one small task is in; time per pool. */
    POOL_START("pool-start", "Pool of 2 created → first result", Unit.NANOSECONDS, 8),
    /** Starting a child process until its first message arrives through a pipe; time per child. */
    PROCESS_START("process-start", "Process start → first message", Unit.NANOSECONDS, 8);

    private final String id;
    private final String label;
    private final Unit unit;
    private final int messageBytes;

    Workload(final String id, final String label, final Unit unit, final int messageBytes)
    {
        this.id = id;
        this.label = label;
        this.unit = unit;
        this.messageBytes = messageBytes;
    }

    /**
     * @return the id used on the command line and in file names.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the label used in the report.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return the unit of the headline figure.
     */
    public Unit unit()
    {
        return unit;
    }

    /**
     * @return the message (or array) size in bytes.
     */
    public int messageBytes()
    {
        return messageBytes;
    }

    /**
     * @param id a workload id.
     * @return the workload.
     * @throws IllegalArgumentException when no workload has that id.
     */
    public static Workload byId(final String id)
    {
        for (final Workload workload : values())
        {
            if (workload.id.equals(id))
            {
                return workload;
            }
        }
        throw new IllegalArgumentException("no workload \"" + id + "\"; known: " + java.util.Arrays.stream(values())
            .map(Workload::id).toList());
    }
}
