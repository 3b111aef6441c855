package io.ipckit.manager.internal;

import io.ipckit.core.process.ProcessIdentity;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's journaled calls as a durable manager remembers them ({@link ManagerJournal}): the outcomes of the calls
 * whose replies the client may not have, by call id, so that a call sent again after a restart gets its first
 * outcome; and each of the client's threads' last call. The client says it has a reply in two ways:
 * <ul>
 *   <li>{@code ackBelow}, carried by each call: the client has the replies of all its calls below it (its lowest call
 *   still waiting);</li>
 *   <li>a thread's next call: a thread's calls wait for their replies one after another, so its next call comes once
 *   it had the reply of its last one, or gave up waiting (its timeout). While one call waits long ({@code take} on
 *   an empty queue holds {@code ackBelow} at it), this keeps about one outcome per thread instead of one per call.
 *   A thread that ends makes no next call, and a call still running at its thread's next call records its outcome
 *   later: those outcomes wait for {@code ackBelow}.</li>
 * </ul>
 * Both also tell a call that is no longer waited for: one below the highest {@code ackBelow} the client sent (its
 * lowest call waiting never fell below a call still waiting: ids rise), or older than its thread's last call. Such a
 * call arrives only when the client's reconnection sends again a call whose caller gave it up meanwhile; if its
 * outcome is forgotten, it must not run again ({@link #isStale}).
 * <p>
 * The outcomes are sorted by call id, so that forgetting those below {@code ackBelow} costs a look at the first entry,
 * where a scan of a hash map cost the whole table's size on every call (and a table that grew while one call was
 * slow never shrinks).
 * <p>
 * Thread-safe.
 */
final class ClientCalls
{
    /** A call whose thread is not known (an entry written by an earlier version): {@link #follow} does nothing. */
    static final long NO_THREAD = Long.MIN_VALUE;
    /** The fewest threads kept before a sweep of those whose last call lies below {@code ackBelow}. */
    static final int SWEEP_AT_LEAST = 64;
    /** No call of the thread recorded (call ids start at 1). */
    private static final long NO_CALL = 0;

    private final ConcurrentSkipListMap<Long, Object> outcomes = new ConcurrentSkipListMap<>();
    private final ConcurrentMap<Long, Long> lastCallByThread = new ConcurrentHashMap<>();
    /** A sweep comes when more threads than this are kept: twice as many as after the last one. */
    private volatile int sweepAbove = SWEEP_AT_LEAST;
    /**
     * The highest {@code ackBelow} the client sent: every call below it has left the client's waiting calls. Raised
     * atomically: while a client reconnects to a manager still running, its old session may admit a frame with a
     * lower one at the same time as the new session admits a higher one.
     */
    private final AtomicLong acknowledgedBelow = new AtomicLong();
    /** The client's reconnect timeout in ms, as its hello said; 0 when not known (or it never reconnects). */
    private volatile long reconnectMs;
    /** The client's process when it is of this host, as its hello said; null for a remote one, or not known. */
    private volatile ProcessIdentity localProcess;

    /**
     * @return the client's reconnect timeout in ms, 0 when not known.
     */
    long reconnectMs()
    {
        return reconnectMs;
    }

    /**
     * @return the client's process when it is of this host; null for a remote one, or not known.
     */
    ProcessIdentity localProcess()
    {
        return localProcess;
    }

    /**
     * Records what the client's hello said of it.
     *
     * @param reconnectMs  its reconnect timeout in ms, 0 when not known.
     * @param localProcess its process when it is of this host, else null.
     * @return this.
     */
    ClientCalls joined(final long reconnectMs, final ProcessIdentity localProcess)
    {
        this.reconnectMs = reconnectMs;
        this.localProcess = localProcess;
        return this;
    }

    /**
     * @return the outcomes by call id: a recorded {@link ManagerJournal.Outcome}, or the mark of a call running.
     */
    ConcurrentNavigableMap<Long, Object> outcomes()
    {
        return outcomes;
    }

    /**
     * Forgets the outcomes of the calls below {@code ackBelow}, from the first on: each removal finds its entry at
     * the map's start, and a look at the first entry that stays ends it.
     *
     * @param ackBelow the client has the replies of all its calls below this (0 or less: none said).
     */
    void forgetBelow(final long ackBelow)
    {
        raiseAcknowledgedBelow(ackBelow);
        Map.Entry<Long, Object> first;
        while ((first = outcomes.firstEntry()) != null && first.getKey() < ackBelow)
        {
            outcomes.remove(first.getKey(), first.getValue());
        }
    }

    /**
     * Records {@code callId} as its thread's last call and forgets the recorded outcome of the thread's call before
     * it (the mark of a call still running stays: its outcome, recorded later, waits for {@code ackBelow}). A call
     * older than the thread's last one changes nothing. Threads whose last call lies below {@code ackBelow} are
     * forgotten whenever more are kept than twice as many as after the last such sweep, and at least
     * {@link #SWEEP_AT_LEAST}.
     *
     * @param threadId the calling thread's id in the client, or {@link #NO_THREAD}.
     * @param callId   the call.
     * @param ackBelow the call's {@code ackBelow}.
     * @return false when the call is older than its thread's last one.
     */
    boolean follow(final long threadId, final long callId, final long ackBelow)
    {
        if (threadId == NO_THREAD)
        {
            return true;
        }
        final long previous = raiseLastCall(threadId, callId);
        if (previous != NO_CALL && callId < previous)
        {
            return false;
        }
        if (previous != NO_CALL && previous < callId)
        {
            outcomes.computeIfPresent(previous, ClientCalls::keepOnlyRunning);
        }
        if (lastCallByThread.size() > sweepAbove && ackBelow > 0)
        {
            lastCallByThread.values().removeIf((last) -> last < ackBelow);
            sweepAbove = Math.max(SWEEP_AT_LEAST, 2 * lastCallByThread.size());
        }
        return true;
    }

    /**
     * Makes {@code callId} its thread's last call unless a later one is recorded, atomically: without a lock, a
     * lambda or an array per call (the common case, a thread's next call, is a get and a replace).
     *
     * @return the thread's last call before, or {@link #NO_CALL}.
     */
    private long raiseLastCall(final long threadId, final long callId)
    {
        final Long thread = threadId;
        final Long call = callId;
        Long last = lastCallByThread.get(thread);
        while (true)
        {
            if (last == null)
            {
                last = lastCallByThread.putIfAbsent(thread, call);
                if (last == null)
                {
                    return NO_CALL;
                }
            }
            else if (callId <= last)
            {
                return last;
            }
            else if (lastCallByThread.replace(thread, last, call))
            {
                return last;
            }
            else
            {
                last = lastCallByThread.get(thread);
            }
        }
    }

    /**
     * For {@link #follow}: a recorded outcome goes; the mark of a call still running stays.
     */
    private static Object keepOnlyRunning(final Long callId, final Object outcome)
    {
        return outcome instanceof ManagerJournal.Outcome ? null : outcome;
    }

    /**
     * Raises the highest {@code ackBelow} the client sent, writing only when it rises.
     */
    private void raiseAcknowledgedBelow(final long ackBelow)
    {
        long seen = acknowledgedBelow.get();
        while (ackBelow > seen && !acknowledgedBelow.compareAndSet(seen, ackBelow))
        {
            seen = acknowledgedBelow.get();
        }
    }

    /**
     * Whether a call admitted now is one its client no longer waits for, with its outcome forgotten: below the
     * highest {@code ackBelow} the client sent, or older than its thread's last call ({@code follow} returned false).
     *
     * @param callId      the call.
     * @param followsLast what {@link #follow} returned for it.
     * @return true when it must not run.
     */
    boolean isStale(final long callId, final boolean followsLast)
    {
        return (!followsLast || callId < acknowledgedBelow.get()) && !outcomes.containsKey(callId);
    }

    /**
     * @return the highest {@code ackBelow} the client sent, for a snapshot.
     */
    long acknowledgedBelow()
    {
        return acknowledgedBelow.get();
    }

    /**
     * @return each thread's last call, by thread id: a copy, for a snapshot.
     */
    Map<Long, Long> lastCalls()
    {
        return new HashMap<>(lastCallByThread);
    }

    /**
     * @param lastCalls each thread's last call, by thread id, from a snapshot.
     */
    void restoreLastCalls(final Map<Long, Long> lastCalls)
    {
        lastCallByThread.putAll(lastCalls);
    }

    /**
     * @param ackBelow the highest {@code ackBelow} the client had sent, from a snapshot.
     */
    void restoreAcknowledgedBelow(final long ackBelow)
    {
        raiseAcknowledgedBelow(ackBelow);
    }

    /**
     * @return how many threads are kept, for tests.
     */
    int threadsKept()
    {
        return lastCallByThread.size();
    }
}
