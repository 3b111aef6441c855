package io.ipckit.shm.array;

import io.ipckit.shm.internal.PagePopulator;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.locks.LockSupport;

/**
 * The parallel path of one {@link SharedArray} handle's whole-array reductions, for a contiguous array of at least
 * {@link SharedArray#PARALLEL_MIN_BYTES} bytes whose handle has more than one reduction thread (the default on a
 * machine with more than one processor; {@code ShmOptions.reductionThreads}).
 * The elements are cut into pieces of {@link Reductions#CHUNK_BYTES} (the chunks of {@link Reductions}' sum
 * order); the calling thread and up to {@code n - 1} helper tasks forked into
 * {@link ForkJoinPool#commonPool()} claim pieces one at a time from a shared counter, reduce each into its own
 * slot, and the caller combines
 * the slots in piece order: {@link Reductions#combinePairwise} for a floating-point sum, which is exactly the order
 * of the single-threaded sum, so the result is the same double whatever the number of threads and however the
 * pieces fell to them; integer sums (wrapping adds) and extrema are exact in any order. The caller does whatever
 * pieces no helper took, so a busy pool costs parallelism, never progress.
 * <p>
 * The threads take the page faults of a new mapping as they read, in parallel; they do not populate the pages
 * first ({@link PagePopulator}, which the single-threaded path uses): measured on 64 MiB of float64 opened anew
 * (Linux 6, two cores), {@code madvise(MADV_POPULATE_READ)} per piece from two threads made the open + sum slower
 * (4.9 and 7.2 ms against 4.3 and 4.7 ms faulting), where one thread gains a little from it. Only a sequential
 * fallback (below) populates.
 * <p>
 * One instance per handle, reused: its slots and helper tasks are allocated once, and a call allocates nothing
 * (a helper that was never started within {@link #ABANDON_AFTER_NS} is abandoned and replaced, the only
 * allocation, which needs a pool busy with other work). A second thread that calls while a call is running runs
 * the sequential loops instead ({@link #tryAcquire()}), which give the same result.
 * <p>
 * <b>Note to maintainers.</b> Per call, the owner writes {@link #operation} and {@link #next} with plain stores before it forks the helpers; {@code fork} orders them before the helpers run.
 * A helper writes only the slots of pieces it claimed (a {@link #NEXT} get-and-add), then sets its {@link Helper}
 * state to {@link #DONE} and returns; the owner reads the slots only after every helper {@code isDone()} (a
 * volatile read of the task's status, written after {@code compute} returned), or after it won the helper's start
 * (state {@link #FORKED} to {@link #ABANDONED}) so that the helper will never touch the slots. A helper's task is
 * forked again only once its task {@code isDone()}, after {@code reinitialize()}; an abandoned helper is never
 * reused (its stale queue entry may still run, and then returns at once). Failures inside a helper are kept in
 * the helper and rethrown by the owner, after every helper has stopped.
 */
final class ParallelReduction
{
    static final int SUM_DOUBLE = 0;
    static final int SUM_LONG = 1;
    static final int MIN = 2;
    static final int MAX = 3;

    /** A helper not started after this long is abandoned: the caller did its pieces, so waiting buys nothing. */
    static final long ABANDON_AFTER_NS = 1_000_000;
    private static final long SPIN_NS = 20_000;
    private static final long PARK_NS = 20_000;

    private static final int IDLE = 0;
    private static final int FORKED = 1;
    private static final int RUNNING = 2;
    private static final int DONE = 3;
    private static final int ABANDONED = 4;

    private static final VarHandle BUSY;
    private static final VarHandle NEXT;
    private static final VarHandle STATE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            BUSY = lookup.findVarHandle(ParallelReduction.class, "busy", int.class);
            NEXT = lookup.findVarHandle(ParallelReduction.class, "next", int.class);
            STATE = lookup.findVarHandle(Helper.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final MemorySegment segment;
    private final long offsetBytes;
    private final long count;
    private final DType type;
    private final long pieceElements;
    private final int pieces;
    /** One slot per piece: its sum, or its extreme, as a double. */
    private final double[] doubles;
    /** One slot per piece: its sum, or its extreme, as a long. */
    private final long[] longs;
    private final Helper[] helpers;

    /** 1 while a call owns this instance. */
    private int busy;
    /** The next piece to claim (get-and-add). */
    private int next;
    private int operation;

    /**
     * @param segment the mapping.
     * @param layout  a contiguous layout.
     * @param threads the most threads a call uses, the caller's included, at least 2.
     */
    ParallelReduction(final MemorySegment segment, final ArrayLayout layout, final int threads)
    {
        this.segment = segment;
        this.offsetBytes = layout.offsetBytes;
        this.count = layout.size;
        this.type = layout.dtype;
        this.pieceElements = Reductions.chunkElements(type);
        this.pieces = Math.toIntExact(Reductions.chunkCount(count, pieceElements));
        this.doubles = new double[pieces];
        this.longs = new long[pieces];
        this.helpers = new Helper[Math.min(threads, pieces) - 1];
        for (int i = 0; i < helpers.length; i++)
        {
            helpers[i] = new Helper(this);
        }
    }

    /**
     * @return the number of helper tasks a call forks.
     */
    int helpers()
    {
        return helpers.length;
    }

    /**
     * @param populate true to populate the array's pages first, if this call runs on the calling thread alone.
     * @return the sum of a floating-point array, bit for bit what {@link Reductions#sum} returns.
     */
    double sum(final boolean populate)
    {
        if (!tryAcquire())
        {
            populateWhole(populate);
            return Reductions.rowSumFloatingPoint(segment, offsetBytes, count, type.itemSize(), type);
        }
        try
        {
            run(SUM_DOUBLE);
            return Reductions.combinePairwise(doubles, 0, pieces);
        }
        finally
        {
            BUSY.setRelease(this, 0);
        }
    }

    /**
     * @param populate true to populate the array's pages first, if this call runs on the calling thread alone.
     * @return the exact (wrapping) sum of an integer or bool array.
     */
    long sumLong(final boolean populate)
    {
        if (!tryAcquire())
        {
            populateWhole(populate);
            return Reductions.rowSumInteger(segment, offsetBytes, count, type.itemSize(), type);
        }
        try
        {
            run(SUM_LONG);
            long sum = 0;
            for (int piece = 0; piece < pieces; piece++)
            {
                sum += longs[piece];
            }
            return sum;
        }
        finally
        {
            BUSY.setRelease(this, 0);
        }
    }

    /**
     * @param max      true for the largest element, false for the smallest.
     * @param populate true to populate the array's pages first, if this call runs on the calling thread alone.
     * @return the extreme of a floating-point array, NaN if any element is NaN.
     */
    double extremeFloatingPoint(final boolean max, final boolean populate)
    {
        final double initial = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (!tryAcquire())
        {
            populateWhole(populate);
            return Reductions.rowExtremeFloatingPoint(segment, offsetBytes, count, type.itemSize(), type, max, initial);
        }
        try
        {
            run(max ? MAX : MIN);
            double result = initial;
            for (int piece = 0; piece < pieces; piece++)
            {
                result = max ? Math.max(result, doubles[piece]) : Math.min(result, doubles[piece]);
            }
            return result;
        }
        finally
        {
            BUSY.setRelease(this, 0);
        }
    }

    /**
     * @param max      true for the largest element, false for the smallest.
     * @param populate true to populate the array's pages first, if this call runs on the calling thread alone.
     * @return the extreme of an integer or bool array.
     */
    long extremeInteger(final boolean max, final boolean populate)
    {
        final long initial = max ? Long.MIN_VALUE : Long.MAX_VALUE;
        if (!tryAcquire())
        {
            populateWhole(populate);
            return Reductions.rowExtremeInteger(segment, offsetBytes, count, type.itemSize(), type, max, initial);
        }
        try
        {
            run(max ? MAX : MIN);
            long result = initial;
            for (int piece = 0; piece < pieces; piece++)
            {
                result = max ? Math.max(result, longs[piece]) : Math.min(result, longs[piece]);
            }
            return result;
        }
        finally
        {
            BUSY.setRelease(this, 0);
        }
    }

    private boolean tryAcquire()
    {
        return BUSY.compareAndSet(this, 0, 1);
    }

    private void populateWhole(final boolean populate)
    {
        if (populate)
        {
            PagePopulator.populateRead(segment, offsetBytes, count * type.itemSize());
        }
    }

    private void run(final int operation)
    {
        this.operation = operation;
        this.next = 0;
        final ForkJoinPool pool = ForkJoinPool.commonPool();
        for (final Helper helper : helpers)
        {
            helper.reinitialize();
            helper.state = FORKED;
            pool.execute(helper);
        }
        Throwable failure = null;
        try
        {
            work();
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
            NEXT.setVolatile(this, pieces); // the helpers stop at their next claim
        }
        for (int i = helpers.length - 1; i >= 0; i--)
        {
            final Helper helper = helpers[i];
            if (!await(helper))
            {
                helpers[i] = new Helper(this);
            }
            else if (helper.failure != null)
            {
                if (failure == null)
                {
                    failure = helper.failure;
                }
                else if (failure != helper.failure)
                {
                    failure.addSuppressed(helper.failure);
                }
                helper.failure = null;
            }
        }
        if (failure instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        if (failure != null)
        {
            throw (Error)failure;
        }
    }

    /**
     * Waits until a helper has finished, running it here if it is still at the top of this thread's queue.
     *
     * @return true when the helper ran (or never will run and can be reused); false when it was abandoned.
     */
    private static boolean await(final Helper helper)
    {
        if (helper.tryUnfork())
        {
            helper.quietlyInvoke(); // claims nothing now: completes the task, so that it can be forked again
            return true;
        }
        long start = 0;
        while (!helper.isDone())
        {
            final long now = System.nanoTime();
            if (start == 0)
            {
                start = now;
            }
            else if (now - start < SPIN_NS)
            {
                Thread.onSpinWait();
            }
            else if (now - start < ABANDON_AFTER_NS || (int)STATE.getVolatile(helper) != FORKED)
            {
                LockSupport.parkNanos(PARK_NS);
            }
            else if (STATE.compareAndSet(helper, FORKED, ABANDONED))
            {
                return false;
            }
        }
        return true;
    }

    private void work()
    {
        final int operation = this.operation;
        for (int piece = (int)NEXT.getAndAdd(this, 1); piece < pieces; piece = (int)NEXT.getAndAdd(this, 1))
        {
            final long first = piece * pieceElements;
            final long elements = Math.min(pieceElements, count - first);
            final long offset = offsetBytes + first * type.itemSize();
            switch (operation)
            {
                case SUM_DOUBLE -> doubles[piece] = Reductions.sumDenseChunk(segment, offset, elements, type);
                case SUM_LONG ->
                    longs[piece] = Reductions.rowSumInteger(segment, offset, elements, type.itemSize(), type);
                default ->
                {
                    final boolean max = operation == MAX;
                    if (type.isFloatingPoint())
                    {
                        doubles[piece] = Reductions.rowExtremeFloatingPoint(segment, offset, elements, type.itemSize(),
                            type, max, max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                    }
                    else
                    {
                        longs[piece] = Reductions.rowExtremeInteger(segment, offset, elements, type.itemSize(), type,
                            max, max ? Long.MIN_VALUE : Long.MAX_VALUE);
                    }
                }
            }
        }
    }

    /**
     * One helper: claims and reduces pieces until none is left. Its state arbitrates between its start and the
     * owner abandoning it; a failure is kept for the owner rather than thrown into the pool.
     */
    private static final class Helper extends RecursiveAction
    {
        private final ParallelReduction owner;
        private int state = IDLE;
        private Throwable failure;

        Helper(final ParallelReduction owner)
        {
            this.owner = owner;
        }

        @Override
        protected void compute()
        {
            if (!STATE.compareAndSet(this, FORKED, RUNNING))
            {
                return; // abandoned: the owner no longer waits for this run, and its slots are not ours
            }
            try
            {
                owner.work();
            }
            catch (final RuntimeException | Error ex)
            {
                failure = ex;
                NEXT.setVolatile(owner, owner.pieces);
            }
            finally
            {
                STATE.setRelease(this, DONE);
            }
        }
    }
}
