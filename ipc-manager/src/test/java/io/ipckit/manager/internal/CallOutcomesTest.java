package io.ipckit.manager.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How a durable manager forgets the outcomes of a client's journaled calls once the client has their replies
 * ({@code ackBelow}): exactly those below, whatever order the calls were admitted in.
 */
class CallOutcomesTest
{
    @Test
    void shouldForgetExactlyTheOutcomesBelowTheAcknowledgement()
    {
        final ConcurrentSkipListMap<Long, Object> outcomes = new ConcurrentSkipListMap<>();
        for (final long id : new long[] {5, 1, 4, 2, 3, 9, 7})
        {
            outcomes.put(id, "outcome " + id);
        }
        ManagerJournal.forgetBelow(outcomes, 0);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 9L), List.copyOf(outcomes.keySet()), "nothing acknowledged");
        ManagerJournal.forgetBelow(outcomes, 4);
        assertEquals(List.of(4L, 5L, 7L, 9L), List.copyOf(outcomes.keySet()), "the replies below 4 are had");
        ManagerJournal.forgetBelow(outcomes, 2);
        assertEquals(List.of(4L, 5L, 7L, 9L), List.copyOf(outcomes.keySet()), "an older acknowledgement");
        ManagerJournal.forgetBelow(outcomes, 8);
        assertEquals(List.of(9L), List.copyOf(outcomes.keySet()));
        assertEquals("outcome 9", outcomes.get(9L));
        ManagerJournal.forgetBelow(outcomes, 100);
        assertEquals(List.of(), List.copyOf(outcomes.keySet()));
    }
}
