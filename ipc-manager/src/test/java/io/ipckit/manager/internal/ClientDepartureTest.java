package io.ipckit.manager.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * When a session's client that left is forgotten: once, after its session ended and its last frame or call finished,
 * never for a client that did not leave, and never while a frame is handled.
 */
class ClientDepartureTest
{
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger forgotten = new AtomicInteger();
    private final ClientDeparture departure = new ClientDeparture(ended, forgotten::incrementAndGet);

    private void end(final boolean left)
    {
        if (left)
        {
            departure.leftForGood();
        }
        ended.set(true);
        departure.sessionEnded();
    }

    @Test
    void shouldForgetAtTheEndWhenNothingIsInProgress()
    {
        end(true);
        assertEquals(1, forgotten.get());
        departure.sessionEnded();
        assertEquals(1, forgotten.get(), "once");
    }

    @Test
    void shouldForgetWhenTheLastCallFinishesAfterTheEnd()
    {
        departure.begin();
        departure.begin();
        end(true);
        assertEquals(0, forgotten.get(), "two calls run");
        departure.finish();
        assertEquals(0, forgotten.get(), "one call runs");
        departure.finish();
        assertEquals(1, forgotten.get());
    }

    @Test
    void shouldNotForgetAClientThatDidNotLeave()
    {
        departure.begin();
        end(false);
        departure.finish();
        assertEquals(0, forgotten.get());
    }

    @Test
    void shouldForgetAClientSeenGoneAfterItsSessionEnded()
    {
        end(false);
        departure.leftForGood();
        departure.sessionEnded();
        assertEquals(1, forgotten.get());
    }

    /**
     * A frame handler races the session's end, many times, each side pausing at random in its steps: the client is
     * forgotten exactly once, and never while a frame that passed the session's check is being handled.
     */
    @Test
    void shouldForgetOnceAndNeverWhileAFrameIsHandledWhateverTheRace() throws Exception
    {
        for (int round = 0; round < 2_000; round++)
        {
            final AtomicBoolean sessionEnded = new AtomicBoolean();
            final AtomicInteger forgets = new AtomicInteger();
            final AtomicBoolean forgottenWhileHandled = new AtomicBoolean();
            final ClientDeparture raced = new ClientDeparture(sessionEnded, forgets::incrementAndGet);
            final AtomicBoolean running = new AtomicBoolean();
            final Thread handler = Thread.ofPlatform().start(() ->
            {
                running.set(true);
                for (int frame = 0; frame < 20; frame++)
                {
                    raced.begin();
                    try
                    {
                        if (!sessionEnded.get())
                        {
                            pause();
                            if (forgets.get() > 0)
                            {
                                forgottenWhileHandled.set(true);
                            }
                        }
                    }
                    finally
                    {
                        raced.finish();
                    }
                    pause();
                }
            });
            while (!running.get())
            {
                Thread.onSpinWait(); // both sides spin from here: a wake-up's latency would put the end before it
            }
            pause();
            raced.leftForGood();
            pause();
            sessionEnded.set(true);
            raced.sessionEnded();
            handler.join();
            assertEquals(1, forgets.get(), "round " + round);
            assertFalse(forgottenWhileHandled.get(), "forgotten while a frame was handled, round " + round);
        }
    }

    /**
     * Spins for up to a few microseconds, at random, to spread the interleavings.
     */
    private static void pause()
    {
        final int spins = ThreadLocalRandom.current().nextInt(200);
        for (int i = 0; i < spins; i++)
        {
            Thread.onSpinWait();
        }
    }
}
