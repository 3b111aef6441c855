package io.ipckit.manager.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a durable manager remembers of one client's journaled calls ({@link ClientCalls}): which outcomes it forgets
 * once the client has their replies, and which call it refuses as sent again after its caller gave it up. The same
 * rules across real JVMs: {@code DurableManagerTest}.
 */
class ClientCallsTest
{
    private static final Object RUNNING = new Object();

    private static ManagerJournal.Outcome outcome(final long id)
    {
        return new ManagerJournal.Outcome("outcome " + id, null);
    }

    @Test
    void shouldForgetExactlyTheOutcomesBelowTheAcknowledgement()
    {
        final ClientCalls calls = new ClientCalls();
        for (final long id : new long[] {5, 1, 4, 2, 3, 9, 7})
        {
            calls.outcomes().put(id, outcome(id));
        }
        calls.forgetBelow(0);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), List.copyOf(calls.outcomes().keySet()), "none acknowledged");
        calls.forgetBelow(4);
        assertEquals(List.of(4L, 5L, 7L, 9L), List.copyOf(calls.outcomes().keySet()), "the replies below 4 are had");
        calls.forgetBelow(2);
        assertEquals(List.of(4L, 5L, 7L, 9L), List.copyOf(calls.outcomes().keySet()), "an older acknowledgement");
        calls.forgetBelow(8);
        assertEquals(List.of(9L), List.copyOf(calls.outcomes().keySet()));
        assertEquals(outcome(9), calls.outcomes().get(9L));
        calls.forgetBelow(100);
        assertTrue(calls.outcomes().isEmpty());
    }

    @Test
    void shouldForgetAThreadsLastOutcomeAtItsNextCallButNotAnotherThreadsNorACallRunning()
    {
        final ClientCalls calls = new ClientCalls();
        final long ackBelow = 1; // a call of the client waits all along: its ackBelow says nothing more
        assertTrue(calls.follow(10, 2, ackBelow));
        calls.outcomes().put(2L, outcome(2));
        assertTrue(calls.follow(20, 3, ackBelow));
        calls.outcomes().put(3L, RUNNING); // thread 20's call runs on (a take waiting in the manager)
        assertTrue(calls.follow(10, 4, ackBelow));
        calls.outcomes().put(4L, outcome(4));
        assertEquals(List.of(3L, 4L), List.copyOf(calls.outcomes().keySet()), "thread 10 had the reply of call 2");
        assertTrue(calls.follow(20, 5, ackBelow));
        assertEquals(List.of(3L, 4L), List.copyOf(calls.outcomes().keySet()), "call 3 still runs: its mark stays");
        assertTrue(calls.follow(10, 6, ackBelow));
        assertEquals(List.of(3L), List.copyOf(calls.outcomes().keySet()));
        assertTrue(calls.follow(10, 6, ackBelow), "the same call sent again after a reconnection");
        assertTrue(calls.follow(ClientCalls.NO_THREAD, 7, ackBelow), "an entry that does not say its thread");
        assertEquals(List.of(3L), List.copyOf(calls.outcomes().keySet()));
    }

    @Test
    void shouldRefuseACallOlderThanItsThreadsLastAndKeepTheLatestAsLast()
    {
        final ClientCalls calls = new ClientCalls();
        assertTrue(calls.follow(10, 4, 4));
        calls.outcomes().put(4L, outcome(4));
        assertTrue(calls.follow(10, 6, 6)); // the thread gave call 5 up, then called again
        assertFalse(calls.follow(10, 5, 6), "call 5, sent again after its caller gave it up");
        calls.outcomes().put(6L, outcome(6));
        assertTrue(calls.follow(10, 7, 6));
        assertEquals(List.of(), List.copyOf(calls.outcomes().keySet()), "call 6 forgotten at call 7, not kept by 5");
    }

    @Test
    void shouldTellACallBelowTheHighestAcknowledgementWhoseOutcomeIsForgottenAsStale()
    {
        final ClientCalls calls = new ClientCalls();
        calls.forgetBelow(3);
        assertTrue(calls.follow(10, 3, 3));
        assertFalse(calls.isStale(3, true), "the lowest call waiting");
        calls.outcomes().put(3L, outcome(3));
        calls.forgetBelow(5); // another thread's call: the client no longer waits for 3 or 4 (4 was given up)
        assertTrue(calls.isStale(4, calls.follow(20, 4, 5)), "4, sent again after its caller gave it up");
        assertTrue(calls.isStale(3, calls.follow(10, 3, 5)), "3, whose outcome is forgotten");
        calls.forgetBelow(2); // an older frame sent again: the acknowledgement stays the highest
        assertTrue(calls.isStale(4, true));
        calls.outcomes().put(4L, outcome(4)); // replayed: its first outcome answers
        assertFalse(calls.isStale(4, true));
        assertFalse(calls.isStale(5, calls.follow(20, 5, 5)), "the call that carried the acknowledgement");
        assertEquals(5, calls.acknowledgedBelow());
    }

    @Test
    void shouldSweepThreadsWhoseLastCallIsAcknowledged()
    {
        final ClientCalls calls = new ClientCalls();
        long call = 1;
        for (long thread = 1; thread <= 1000; thread++)
        {
            calls.follow(thread, call, call); // a thread per call, each acknowledged by the next
            call++;
        }
        assertTrue(calls.threadsKept() <= 2 * ClientCalls.SWEEP_AT_LEAST + 1,
            calls.threadsKept() + " threads kept of 1000 that each made one call");
        for (long thread = 2000; thread < 2200; thread++)
        {
            calls.follow(thread, call++, 1); // while a call waits: every thread may still need its last outcome
        }
        assertTrue(calls.threadsKept() >= 200, "threads whose last call is not acknowledged stay");
    }
}
