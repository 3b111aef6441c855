package io.ipckit.manager;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.process.SerializableRunnable;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.JarClassPath;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.manager.connection.FrameConnection;
import io.ipckit.manager.internal.ClientConnection;
import io.ipckit.manager.internal.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A durable manager across real JVMs: state kept across a clean restart and across SIGKILLs at random points while
 * a client keeps writing, a call sent again after a crash applied once, and a corrupt journal refused. The test JVM
 * is the client and runs without Chronicle Queue's JVM flags: only the manager's JVM needs them.
 */
class DurableManagerTest
{
    /** Lanes of kills side by side, each its own manager, journal and writer: 36 SIGKILLs in all. */
    private static final int LANES = 2;
    private static final int KILLS_PER_LANE = 18;
    /** The keys a kill lane's writer puts to in turn. */
    private static final int DICT_KEYS = 64;

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<Manager> managers = new CopyOnWriteArrayList<>();

    private Manager start(final String name, final ManagerOptions options)
    {
        final Manager manager = Manager.start(name, options);
        managers.add(manager);
        return manager;
    }

    private ManagerOptions durable()
    {
        // a manager JVM that starts on less CPU, from an AOT cache (a class path of jars): the kill test starts
        // seventy-odd
        return new ManagerOptions().durable(dir.path().resolve("journal")).registry(Tally.registry())
            .allowClasses(Tally.class.getName() + "*") // the snapshots hold tallies
            .reconnectTimeout(60, TimeUnit.SECONDS).callTimeout(60, TimeUnit.SECONDS)
            .jvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData")
            .classPath(JarClassPath.of());
    }

    /**
     * Runs a manager of these options through what the kill test does and stops it cleanly, so that its JVM trains
     * the AOT cache of the class path and options (a SIGKILLed one records nothing) unless a cache exists already.
     */
    private void trainAotCache(final ManagerOptions options) throws InterruptedException
    {
        final Manager trainer = start("trainer", options);
        final List<Integer> list = trainer.list();
        final BlockingQueue<Integer> queue = trainer.queue();
        final Tally tally = trainer.create("tally", Tally.class);
        for (int i = 0; i < 10; i++)
        {
            list.add(i);
            queue.put(i);
            tally.increment();
        }
        trainer.shutdown();
        assertTrue(trainer.process().join(30, TimeUnit.SECONDS), "the trainer stopped");
    }

    @AfterEach
    void killManagers() throws InterruptedException
    {
        for (final Manager manager : managers)
        {
            manager.close();
            if (manager.process() != null)
            {
                if (manager.process().isAlive())
                {
                    manager.process().kill();
                }
                // waiting for the exit also ends an AOT training that a killed manager had begun (its parent frees
                // the training slot on exit): else the next test's trainer finds the slot taken and trains nothing,
                // and every manager of the kill test starts recording instead of from a cache
                assertTrue(manager.process().join(30, TimeUnit.SECONDS), "manager exited");
            }
        }
    }

    private static void kill(final Manager manager) throws InterruptedException
    {
        manager.process().kill();
        assertTrue(manager.process().join(30, TimeUnit.SECONDS), "manager died");
    }

    @Test
    @Timeout(120)
    void shouldKeepEveryTypesStateAcrossAShutdownAndASigkill() throws Exception
    {
        final Manager first = start("kept", durable());
        final ConcurrentMap<String, Integer> dict = first.dict();
        final List<String> list = first.list();
        final Set<Integer> set = first.set();
        final Namespace namespace = first.namespace();
        final ManagedValue<String> value = first.value("v0");
        final ManagedArray<Integer> array = first.array(new Integer[] {1, 2, 3});
        final BlockingQueue<String> queue = first.queue();
        final ManagedJoinableQueue<String> joinable = first.joinableQueue();
        final ManagedSemaphore semaphore = first.semaphore(3);
        final ManagedEvent event = first.event();
        final Lock lock = first.lock();
        final Tally tally = first.create("tally", Tally.class);
        dict.put("a", 1);
        dict.put("b", 2);
        dict.remove("b");
        list.add("x");
        list.add("y");
        set.add(7);
        namespace.set("answer", 42);
        value.set("v1");
        array.set(1, 20);
        queue.put("q1");
        queue.put("q2");
        assertEquals("q1", queue.take());
        joinable.put("job");
        semaphore.acquire();
        event.set();
        tally.increment();
        dict.put("nested", 0);
        final ConcurrentMap<String, Object> shelf = first.dict();
        shelf.put("list", list);
        first.bind("shelf", shelf);
        lock.lock();

        // a clean stop (last snapshot), then a SIGKILL (replay of the entries after the snapshot); the first
        // handle's connection comes back by itself each time
        Manager.connect("kept", durable()).shutdown();
        assertTrue(first.process().join(30, TimeUnit.SECONDS), "manager stopped");
        final Manager second = start("kept", durable());
        dict.put("c", 3);
        queue.put("q3");
        kill(second);
        start("kept", durable());

        assertEquals(Map.of("a", 1, "c", 3, "nested", 0), Map.copyOf(dict), "proxies of the first handle work");
        assertEquals(List.of("x", "y"), List.copyOf(list));
        assertEquals(Set.of(7), Set.copyOf(set));
        assertEquals(42, namespace.get("answer"));
        assertEquals("v1", value.get());
        assertEquals(List.of(1, 20, 3), array.toList());
        assertEquals("q2", queue.poll());
        assertEquals("q3", queue.poll());
        assertNull(queue.poll());
        assertEquals("job", joinable.poll());
        assertFalse(joinable.join(0, TimeUnit.SECONDS), "the unfinished count is kept");
        joinable.taskDone();
        assertTrue(joinable.join(0, TimeUnit.SECONDS));
        assertEquals(2, semaphore.availablePermits());
        assertTrue(event.isSet());
        assertEquals(2, tally.increment());
        assertThrows(IllegalMonitorStateException.class, lock::unlock, "a restart releases locks");
        assertTrue(lock.tryLock(), "the lock exists, released");
        lock.unlock();
        try (Manager other = Manager.connect("kept", durable()))
        {
            @SuppressWarnings("unchecked")
            final ConcurrentMap<String, Object> found = other.lookup("shelf", ConcurrentMap.class);
            @SuppressWarnings("unchecked")
            final List<String> nested = (List<String>)found.get("list");
            assertEquals(List.of("x", "y"), List.copyOf(nested), "names and nested proxies are kept");
        }
    }

    /**
     * An object stored in another is pinned: it lives as long as the object that holds it, whoever still holds a
     * proxy. A replay after a SIGKILL, which applies the call from the journal alone, must pin it too.
     */
    @Test
    @Timeout(120)
    void shouldPinAnObjectStoredInAnotherWhenItReplaysTheCallAfterASigkill() throws Exception
    {
        final Manager first = start("pinned", durable());
        final ConcurrentMap<String, Object> shelf = first.dict();
        first.bind("shelf", shelf);
        final List<String> list = first.list();
        list.add("kept");
        shelf.put("list", list); // after the start's snapshot: only the journal holds it
        final long listId = first.stats().objects().stream().filter((o) -> "list".equals(o.typeid())).findFirst()
            .orElseThrow().id();
        assertTrue(pinned(first, listId), "pinned by the put, live");
        kill(first);

        final Manager second = start("pinned", durable());
        assertTrue(pinned(second, listId), "pinned by the replayed put");
        @SuppressWarnings("unchecked")
        final List<String> nested = (List<String>)second.lookup("shelf", ConcurrentMap.class).get("list");
        assertEquals(List.of("kept"), List.copyOf(nested));
    }

    private static boolean pinned(final Manager manager, final long id)
    {
        return manager.stats().objects().stream().filter((o) -> o.id() == id).findFirst().orElseThrow().pinned();
    }

    @Test
    @Timeout(120)
    void shouldAnswerACallSentAgainAfterACrashWithItsFirstOutcome() throws Exception
    {
        final Manager manager = start("retry", durable());
        final Tally tally = manager.create("tally", Tally.class);
        final Path marker = Files.createFile(dir.path().resolve("crash-once"));
        final AtomicReference<Object> answer = new AtomicReference<>();
        final Thread caller = Thread.ofPlatform().start(() ->
        {
            try
            {
                answer.set(tally.incrementOrCrash(marker.toString()));
            }
            catch (final Throwable ex)
            {
                answer.set(ex);
            }
        });
        assertTrue(manager.process().join(30, TimeUnit.SECONDS), "the call halted the manager");
        assertFalse(Files.exists(marker));
        start("retry", durable());
        caller.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(1, answer.get(), "the call sent again got the outcome of its first run");
        assertEquals(1, tally.count(), "and was applied once");
    }

    /**
     * A blocking method of a registered type changes its object outside the manager's lock and is journaled when it
     * returns. A snapshot taken between the two would hold its effect without its entry: the manager killed then,
     * the call sent again after the restart would be applied a second time. Snapshots wait for such calls, and are
     * put off while one stays under way.
     */
    @Test
    @Timeout(120)
    void shouldNotSnapshotABlockingCallsEffectBeforeItsEntryAcrossASigkill() throws Exception
    {
        final ManagerOptions options = durable().durable(dir.path().resolve("journal-blocking")).snapshotEveryEntries(1);
        final Manager manager = start("blocking", options);
        final Tally tally = manager.create("tally", Tally.class);
        final ConcurrentMap<Integer, Integer> dict = manager.dict();
        final Path hold = Files.createFile(dir.path().resolve("hold"));
        final CompletableFuture<Integer> answer = new CompletableFuture<>();
        Thread.ofPlatform().start(() ->
        {
            try
            {
                answer.complete(tally.incrementThenWait(hold.toString()));
            }
            catch (final Throwable ex)
            {
                answer.completeExceptionally(ex);
            }
        });
        Eventually.await("the blocking call's effect", Duration.ofSeconds(30), () -> tally.count() == 1);
        final ManagerStats before = manager.stats();
        final AtomicInteger puts = new AtomicInteger();
        // two: the second one starts after the first ends, so after the effect
        Eventually.await("two snapshots taken or put off while the call waits", Duration.ofSeconds(60), () ->
        {
            dict.put(puts.get(), puts.getAndIncrement());
            final ManagerStats now = manager.stats();
            return now.snapshots() + now.snapshotsPutOff() >= before.snapshots() + before.snapshotsPutOff() + 2;
        });
        // the first of the two may have taken its state before the call began; the second began after the effect
        assertTrue(manager.stats().snapshotsPutOff() >= before.snapshotsPutOff() + 1,
            "put off while the call was under way");
        assertFalse(answer.isDone(), "the call still waits");

        kill(manager);
        start("blocking", options); // the handle connects again and sends the call again
        Files.delete(hold);
        assertEquals(1, answer.get(60, TimeUnit.SECONDS), "the call sent again after the SIGKILL, applied once");
        assertEquals(1, tally.count());
        assertEquals(puts.get(), dict.size(), "every put kept");
    }

    /**
     * A thread whose call waits ({@code take} on an empty queue) holds the client's {@code ackBelow} at that call, so
     * the manager learns of the replies of the other threads' calls from each thread's next call: it keeps the
     * waiting call's mark and the last outcome of the thread that puts, not one outcome per call. So does a manager
     * that replays the journal after a SIGKILL, and one that starts from the snapshot a clean shutdown took.
     */
    @Test
    @Timeout(120)
    void shouldKeepOneOutcomePerThreadWhileAnotherThreadsCallWaits() throws Exception
    {
        final Manager manager = start("outcomes", durable());
        final BlockingQueue<Integer> queue = manager.queue();
        final ConcurrentMap<Integer, Integer> dict = manager.dict();
        final CompletableFuture<Integer> taken = new CompletableFuture<>();
        Thread.ofPlatform().start(() ->
        {
            try
            {
                taken.complete(queue.take());
            }
            catch (final Throwable ex)
            {
                taken.completeExceptionally(ex);
            }
        });
        Eventually.await("the take waits in the manager", Duration.ofSeconds(30),
            () -> manager.stats().callsWaiting() == 1);
        final int puts = 500;
        for (int i = 0; i < puts; i++)
        {
            dict.put(i, i);
        }
        assertEquals(2, outcomesKept(manager), "the take's mark and the last put's outcome, after " + puts + " puts");

        kill(manager);
        final Manager replayed = start("outcomes", durable()); // the handle connects again and sends the take again
        dict.put(puts, puts);
        Eventually.await("the take sent again waits", Duration.ofSeconds(30),
            () -> manager.stats().callsWaiting() == 1);
        assertEquals(2, outcomesKept(manager), "after a replay of " + puts + " puts");

        replayed.shutdown(); // a last snapshot, with each thread's last call
        assertTrue(replayed.process().join(30, TimeUnit.SECONDS), "the manager stopped");
        start("outcomes", durable());
        dict.put(puts + 1, puts + 1);
        Eventually.await("the take sent again waits", Duration.ofSeconds(30),
            () -> manager.stats().callsWaiting() == 1);
        assertEquals(2, outcomesKept(manager), "after a start from the snapshot");
        queue.put(7);
        assertEquals(7, taken.get(60, TimeUnit.SECONDS));
        assertEquals(puts + 2, dict.size());
    }

    /**
     * A durable manager forgets the calls of a client handle that left for good, so that a manager used by many
     * short-lived clients does not keep each one's last outcomes for ever: a handle that closes, through its pipe or
     * on the socket, and the handles of processes killed while a call of theirs waits. A replay after a SIGKILL and a
     * start from a clean shutdown's snapshot forget them too.
     */
    @Test
    @Timeout(180)
    void shouldForgetTheClientsThatLeftForGood() throws Exception
    {
        final Manager manager = start("leavers", durable());
        final ConcurrentMap<Integer, Integer> dict = manager.dict();
        final BlockingQueue<Integer> queue = manager.queue();
        manager.bind("dict", dict);
        assertEquals(1, manager.stats().clientsRemembered(), "this test's handle");

        try (Manager other = Manager.connect("leavers", durable()))
        {
            assertTrue(other.usesPipe());
            other.lookup("dict", ConcurrentMap.class).put(1, 1);
            assertEquals(2, manager.stats().clientsRemembered(), "this test's handle and the other");
        }
        Eventually.await("the handle closed through its pipe is forgotten", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == 1);

        // a child on the socket closes a handle that put, then waits in a take through another
        final JvmProcess onSocket = dir.start((SerializableRunnable)() ->
        {
            try (Manager mine = Manager.connect("leavers"))
            {
                if (mine.usesPipe())
                {
                    throw new AssertionError("the child was to use the socket");
                }
                @SuppressWarnings("unchecked")
                final ConcurrentMap<Integer, Integer> shared = mine.lookup("dict", ConcurrentMap.class);
                shared.put(2, 2);
            }
            takeForEver(queue);
        }, new ProcessOptions().inheritIO().jvmOptions("-D" + ClientConnection.PIPE_PROP_NAME + "=false"));
        // a child on its pipe puts, then waits in a take with the same handle
        final JvmProcess onPipe = dir.start((SerializableRunnable)() ->
        {
            dict.put(3, 3);
            takeForEver(queue);
        }, new ProcessOptions().inheritIO());
        Eventually.await("both children wait in a take", Duration.ofSeconds(60),
            () -> manager.stats().callsWaiting() == 2 && dict.size() == 3);
        Eventually.await("the handle closed on the socket is forgotten", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == 3);

        onSocket.kill();
        onPipe.kill();
        assertTrue(onSocket.join(30, TimeUnit.SECONDS) && onPipe.join(30, TimeUnit.SECONDS), "the children died");
        Eventually.await("the killed children's handles are forgotten", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == 1);

        kill(manager);
        final Manager replayed = start("leavers", durable());
        assertEquals(Map.of(1, 1, 2, 2, 3, 3), Map.copyOf(dict), "their calls were kept");
        assertEquals(2, manager.stats().clientsRemembered(),
            "after a replay of their calls and their leaving: this test's handle and the one the start returned");

        replayed.shutdown(); // its handle, which closes after the reply, is forgotten before the last snapshot
        assertTrue(replayed.process().join(30, TimeUnit.SECONDS), "the manager stopped");
        start("leavers", durable());
        assertEquals(2, manager.stats().clientsRemembered(),
            "after a start from the snapshot: this test's handle and the one the start returned");
        assertEquals(3, dict.size());
    }

    /**
     * A handle the manager forgot is refused when it comes back, before and after a replay and a start from a
     * snapshot: a handle wrongly seen gone could otherwise send again a call applied already, whose outcome went with
     * it. The handle here speaks the protocol itself, so that it can come back with its nonce after its goodbye.
     */
    @Test
    @Timeout(120)
    void shouldRefuseAHandleItForgotWhenItComesBack() throws Exception
    {
        final Manager manager = start("forgot", durable());
        final ManagedEvent event = manager.event();
        manager.bind("event", event);
        final long eventId = boundId(manager, "event");
        final long nonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        try (FrameConnection raw = RawHandle.open("forgot", nonce))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0]);
            RawHandle.call(raw, RawHandle.callFrame(eventId, "set()", 1, 1, 1), 1);
            assertEquals(2, manager.stats().clientsRemembered(), "this test's handle and the raw one");
            raw.sendBytes(new byte[] {RawHandle.BYE});
        }
        assertTrue(event.isSet());
        Eventually.await("the raw handle is forgotten", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == 1);
        RawHandle.assertRefused("forgot", nonce, "live");

        kill(manager);
        final Manager replayed = start("forgot", durable());
        RawHandle.assertRefused("forgot", nonce, "after a replay");
        replayed.shutdown();
        assertTrue(replayed.process().join(30, TimeUnit.SECONDS), "the manager stopped");
        start("forgot", durable());
        RawHandle.assertRefused("forgot", nonce, "after a start from the snapshot");
        assertTrue(event.isSet(), "the forgotten handle's call was kept");
    }

    /**
     * A remote handle's process cannot be watched: one that died without goodbye (SIGKILLed in a child JVM) is
     * forgotten once away three times its reconnect timeout (500 ms), and refused when it comes back, also after a
     * replay; one of a longer timeout that went away first is still remembered then, and served when it comes back,
     * its call sent again answered with the first outcome. A handle that made no journaled call is remembered across
     * a SIGKILL of the manager, and a handle never seen that says it connects again is refused. The remote handles
     * speak the protocol themselves (a {@code Manager} handle of this host says it is local).
     */
    @Test
    @Timeout(120)
    void shouldForgetARemoteHandleAwayPastItsTimeAndRefuseIt() throws Exception
    {
        final BoundTally bound = startWithTally("away");
        final Manager manager = bound.manager();
        final Tally tally = bound.tally();
        final long tallyId = bound.id();
        final int remembered = manager.stats().clientsRemembered();

        // a remote handle of a 60 s reconnect timeout goes away without goodbye
        final long backNonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        try (FrameConnection raw = RawHandle.open("away", backNonce, false, false, 60_000))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0]);
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, increment(tallyId, 1, 1, 1), 1));
        }
        // one of 500 ms in a child JVM calls, then is SIGKILLed while it waits
        final long killedNonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        final JvmProcess child = startRawCaller("away", killedNonce, false, 500, tallyId, true);
        Eventually.await("the child's remote handle called", Duration.ofSeconds(60), () -> tally.count() == 2);
        assertEquals(remembered + 2, manager.stats().clientsRemembered(), "both remote handles remembered");
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS), "the child died");
        Eventually.await("the killed remote handle forgotten 1.5 s after its connection ended", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == remembered + 1);
        RawHandle.assertRefused("away", killedNonce, "a forgotten remote handle coming back");

        try (FrameConnection raw = RawHandle.open("away", backNonce, false, true, 60_000))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0], "a remote handle back within its time is served");
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, increment(tallyId, 1, 1, 1), 1));
            assertEquals(2, tally.count(), "its call sent again answered with the first outcome, not run again");
        }

        final long quietNonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        try (FrameConnection raw = RawHandle.open("away", quietNonce, false, false, 60_000))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0]); // it only says hello
        }
        kill(manager);
        start("away", durable());
        try (FrameConnection raw = RawHandle.open("away", quietNonce, false, true, 60_000))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0], "a handle without a journaled call, after a replay");
        }
        RawHandle.assertRefused("away", killedNonce, "a forgotten remote handle, after a replay");
        RawHandle.assertUnknown("away", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE),
            "a handle never seen that says it connects again");
    }

    /**
     * A handle of this host whose connection ends while its process lives on (it closed its socket without goodbye)
     * is remembered while the process lives, as it may connect again, and forgotten once the process is SIGKILLed.
     */
    @Test
    @Timeout(120)
    void shouldForgetALocalHandleThatWentAwayOnceItsProcessDies() throws Exception
    {
        final BoundTally bound = startWithTally("departing");
        final Manager manager = bound.manager();
        final Tally tally = bound.tally();
        final long tallyId = bound.id();
        final int remembered = manager.stats().clientsRemembered();
        final int connected = manager.stats().clients().size();
        final JvmProcess child = startRawCaller("departing", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE),
            true, 60_000, tallyId, false);
        Eventually.await("the child's handle called and closed its connection", Duration.ofSeconds(60),
            () -> tally.count() == 1 && manager.stats().clients().size() == connected);
        assertEquals(remembered + 1, manager.stats().clientsRemembered(), "remembered while its process lives");
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS), "the child died");
        Eventually.await("the handle forgotten once its process died", Duration.ofSeconds(30),
            () -> manager.stats().clientsRemembered() == remembered);
    }

    /**
     * A handle remembered from before a restart that does not come back is forgotten: a remote one once three times its
     * reconnect timeout passed since the start, one of this host once its process is seen dead (a child SIGKILLed
     * while the manager was down).
     */
    @Test
    @Timeout(120)
    void shouldForgetTheHandlesThatDoNotComeBackAfterARestart() throws Exception
    {
        final Manager manager = start("restart", durable());
        final ConcurrentMap<Integer, Integer> dict = manager.dict();
        manager.bind("dict", dict);
        final long dictId = boundId(manager, "dict");
        final BlockingQueue<Integer> queue = manager.queue();
        final JvmProcess child = dir.start((SerializableRunnable)() ->
        {
            dict.put(1, 1);
            takeForEver(queue);
        }, new ProcessOptions().inheritIO());
        Eventually.await("the child's handle put", Duration.ofSeconds(60), () -> dict.size() == 1);
        final long remoteNonce = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        try (FrameConnection raw = RawHandle.open("restart", remoteNonce, false, false, 1_000))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0]);
            RawHandle.call(raw, RawHandle.callFrame(dictId, "clear()", 1, 1, 1), 1);
            assertEquals(3, manager.stats().clientsRemembered(), "this test's handle, the child's and the remote one");
            kill(manager); // while the remote handle is connected: it goes away with the manager
        }
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS), "the child died");
        final Manager restarted = start("restart", durable());
        Eventually.await("the child's handle and the remote one forgotten", Duration.ofSeconds(30),
            () -> restarted.stats().clientsRemembered() == 2); // this test's first handle and the new one
        RawHandle.assertRefused("restart", remoteNonce, "the remote handle after its time");
    }

    /**
     * A call sent again after its caller gave it up, whose outcome the manager forgot, is refused, not run again: one
     * older than its thread's next call, and one below the highest acknowledgement the client sent. A call sent again
     * whose outcome is kept gets that outcome, and is not run again either. The handle speaks the protocol itself, so
     * that it can send a call again at will, as a reconnection racing a caller's timeout would.
     */
    @Test
    @Timeout(120)
    void shouldRefuseACallSentAgainAfterItsCallerMovedOn() throws Exception
    {
        final BoundTally bound = startWithTally("stale");
        final Manager manager = bound.manager();
        final Tally tally = bound.tally();
        final long tallyId = bound.id();
        try (FrameConnection raw = RawHandle.open("stale", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)))
        {
            assertEquals(Wire.WELCOME, raw.recvBytes()[0]);
            // thread 7's call 1 holds the client's acknowledgement at 1 (its reply not yet read, say)
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, increment(tallyId, 1, 1, 7), 1), "thread 7's call");
            final byte[] second = increment(tallyId, 2, 1, 1);
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, second, 2), "thread 1's first call");
            final byte[] third = increment(tallyId, 3, 1, 1);
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, third, 3), "thread 1's next call");
            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, third, 3), "the next call sent again");
            assertEquals(3, tally.count(), "a call sent again whose outcome is kept is answered, not run");
            assertEquals(Wire.STATUS_ERROR, RawHandle.call(raw, second, 2),
                "thread 1's first call sent again after the thread moved on (not below the acknowledgement)");
            assertEquals(3, tally.count(), "a stale call is not run");

            assertEquals(Wire.STATUS_COMPACT, RawHandle.call(raw, increment(tallyId, 4, 4, 2), 4),
                "thread 2 acknowledges 4");
            assertEquals(Wire.STATUS_ERROR, RawHandle.call(raw, third, 3),
                "thread 1's last call sent again below the client's acknowledgement");
            assertEquals(4, tally.count(), "no stale call ran");
        }
    }

    /**
     * A durable manager started with a tally bound to "tally", for the tests that call it through a raw handle.
     *
     * @param manager the manager's handle.
     * @param tally   the tally's proxy.
     * @param id      the tally's object id.
     */
    private record BoundTally(Manager manager, Tally tally, long id)
    {
    }

    private BoundTally startWithTally(final String name)
    {
        final Manager manager = start(name, durable());
        final Tally tally = manager.create("tally", Tally.class);
        manager.bind("tally", tally);
        return new BoundTally(manager, tally, boundId(manager, "tally"));
    }

    /**
     * @return the id of the object bound to {@code name}.
     */
    private static long boundId(final Manager manager, final String name)
    {
        return manager.stats().objects().stream().filter((o) -> name.equals(o.boundName())).findFirst().orElseThrow()
            .id();
    }

    /**
     * Starts a child JVM whose raw handle, new, calls {@code increment()} on the tally once, then keeps its connection
     * or closes it without goodbye, and lives on until SIGKILLed.
     */
    private JvmProcess startRawCaller(final String name, final long nonce, final boolean local, final long reconnectMs,
        final long tallyId, final boolean keepConnection)
    {
        return dir.start((SerializableRunnable)() ->
        {
            try (FrameConnection raw = RawHandle.open(name, nonce, local, false, reconnectMs))
            {
                assertEquals(Wire.WELCOME, raw.recvBytes()[0]);
                RawHandle.call(raw, increment(tallyId, 1, 1, 1), 1);
                if (keepConnection)
                {
                    raw.recvBytes(); // nothing comes: waits for the SIGKILL
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            try
            {
                new java.util.concurrent.CountDownLatch(1).await(); // lives on until SIGKILLed
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, new ProcessOptions().inheritIO());
    }

    /**
     * @return the frame of a call of {@code increment()} on the tally.
     */
    private static byte[] increment(final long tallyId, final long callId, final long ackBelow, final long threadId)
    {
        return RawHandle.callFrame(tallyId, "increment()", callId, ackBelow, threadId);
    }

    private static void takeForEver(final BlockingQueue<Integer> queue)
    {
        try
        {
            queue.take();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("nothing was to be put on the queue");
    }

    private static int outcomesKept(final Manager manager)
    {
        return manager.stats().clients().stream().filter(ManagerStats.Client::caller).findFirst().orElseThrow()
            .outcomesKept();
    }

    /**
     * Snapshots are paced by their own duration: asked for one after every entry, a manager whose state takes a while
     * to snapshot still spends most of its time serving calls. Unpaced, the snapshots ran back to back and held up the
     * puts most of the time; with a large state at the default interval, a 200,000-key dict served half the puts per
     * second of a 1,000-key one and stalled them up to 250 ms per snapshot.
     */
    @Test
    @Timeout(120)
    void shouldPaceSnapshotsSoThatTheyHoldUpCallsAboutATenthOfTheTime()
    {
        final Manager manager = start("paced", durable().snapshotEveryEntries(1));
        final ConcurrentMap<Integer, String> dict = manager.dict();
        final Map<Integer, String> state = new java.util.HashMap<>();
        for (int i = 0; i < 5_000; i++)
        {
            state.put(i, "value " + i);
        }
        dict.putAll(state);
        final ManagerStats before = manager.stats();
        assertTrue(before.snapshots() >= 1, "the snapshot a new journal starts with: " + before);
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(90);
        ManagerStats after = before;
        int puts = 0;
        while (after.snapshots() < before.snapshots() + 5)
        {
            for (int i = 0; i < 100; i++, puts++)
            {
                dict.put(puts % 5_000, "put " + puts);
            }
            after = manager.stats();
            assertTrue(System.nanoTime() - deadlineNs < 0, "5 snapshots were not taken in 90 s of puts: " + after);
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long snapshotNs = after.snapshotNanos() - before.snapshotNanos();
        assertTrue(snapshotNs * 3 < elapsedNs, "snapshots held up calls " + TimeUnit.NANOSECONDS.toMillis(snapshotNs) +
            " ms of the " + TimeUnit.NANOSECONDS.toMillis(elapsedNs) + " ms of " + puts + " puts, paced to a tenth");
        assertEquals(5_000, dict.size());
        assertEquals("put " + (puts - 1), dict.get((puts - 1) % 5_000));
    }

    /**
     * A snapshot copies the state under the lock and encodes a large dict's entries after it, while puts go on: their
     * entries come after the one the snapshot covers and before the snapshot in the journal. A manager killed after
     * such snapshots must replay them. Before snapshots were taken outside the lock there was no such entry; a replay
     * that started after the snapshot would lose them.
     */
    @Test
    @Timeout(120)
    void shouldKeepThePutsMadeWhileASnapshotWasEncodedAcrossASigkill() throws Exception
    {
        final ManagerOptions options = durable().durable(dir.path().resolve("journal-encoded")).snapshotEveryEntries(500);
        final Manager first = start("encoded", options);
        final ConcurrentMap<Integer, Long> dict = first.dict();
        final int filled = 50_000;
        final Map<Integer, Long> batch = new java.util.HashMap<>();
        for (int key = 0; key < filled; key++)
        {
            batch.put(key, (long)key);
            if (batch.size() == 10_000)
            {
                dict.putAll(batch);
                batch.clear();
            }
        }
        final long snapshotsBefore = first.stats().snapshots();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int written = 0;
        while (first.stats().snapshots() < snapshotsBefore + 2)
        {
            for (int i = 0; i < 200; i++, written++)
            {
                dict.put(filled + written, (long)-written);
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "2 snapshots were not taken in 60 s of puts");
        }
        kill(first);
        start("encoded", options);
        assertEquals(filled + written, dict.size(), "every put kept");
        for (int i = 0; i < written; i++)
        {
            assertEquals(-i, dict.get(filled + i), "the put of " + (filled + i));
        }
        assertEquals(filled - 1, dict.get(filled - 1));
    }

    @Test
    @Timeout(240)
    void shouldKeepEveryAcknowledgedWriteAndApplyNoneTwiceAcrossSigkills() throws Exception
    {
        trainAotCache(durable().durable(dir.path().resolve("trainer-journal")));
        // two managers, each with its own journal and writer, are killed side by side: a lane waits for its manager's
        // JVM to start most of the time, so two lanes keep both cores busy and the kills take less time
        final long startNs = System.nanoTime();
        final List<CompletableFuture<Integer>> lanes = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++)
        {
            final String name = "killed-" + lane;
            lanes.add(CompletableFuture.supplyAsync(() -> killLane(name), (task) -> Thread.ofPlatform().start(task)));
        }
        int writes = 0;
        for (final CompletableFuture<Integer> lane : lanes)
        {
            writes += lane.get(200, TimeUnit.SECONDS);
        }
        System.out.println(LANES * KILLS_PER_LANE + " SIGKILLs of durable managers in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms, " + writes +
            " writes of each kind kept once");
    }

    /**
     * Kills the manager {@code name} {@link #KILLS_PER_LANE} times at random points while a writer adds to a list,
     * puts on a queue and increments a counter, then checks that every acknowledged write is there, each once.
     *
     * @return how many writes of each kind were kept.
     */
    private int killLane(final String name)
    {
        try
        {
            final ManagerOptions options = durable().durable(dir.path().resolve("journal-" + name))
                .snapshotEveryEntries(200);
            Manager manager = start(name, options);
            final Manager writers = manager;
            assertTrue(writers.usesPipe(), "a durable manager of this host is reached through a pipe");
            final List<Integer> list = manager.list();
            final BlockingQueue<Integer> queue = manager.queue();
            final Tally tally = manager.create("tally", Tally.class);
            // a dict of numbers: its snapshots' entries are encoded after the lock, while the writer goes on
            final ConcurrentMap<Integer, Integer> dict = manager.dict();
            final AtomicInteger acked = new AtomicInteger();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = Thread.ofPlatform().name("writer-" + name).start(() ->
            {
                try
                {
                    for (int i = 0; !stop.get(); i++)
                    {
                        list.add(i);
                        queue.put(i);
                        dict.put(i % DICT_KEYS, i);
                        assertEquals(i + 1, tally.increment(), "each increment applied once");
                        acked.set(i + 1);
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            for (int kill = 0; kill < KILLS_PER_LANE && failure.get() == null; kill++)
            {
                final int target = acked.get() + ThreadLocalRandom.current().nextInt(1, 4);
                while (acked.get() < target && failure.get() == null)
                {
                    Thread.onSpinWait();
                }
                TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextInt(200));
                kill(manager);
                if (kill > 0)
                {
                    manager.close();
                }
                manager = start(name, options);
            }
            stop.set(true);
            writer.join(TimeUnit.SECONDS.toMillis(60));
            if (failure.get() != null)
            {
                throw new AssertionError("the writer of " + name + " failed", failure.get());
            }
            final int writes = tally.count();
            assertTrue(writes >= acked.get(), writes + " writes kept, " + acked.get() + " acknowledged");
            final List<Integer> kept = List.copyOf(list);
            assertEquals(writes, kept.size(), "every add kept once");
            for (int i = 0; i < kept.size(); i++)
            {
                assertEquals(i, kept.get(i));
            }
            final List<Integer> queued = new ArrayList<>();
            for (Integer head = queue.poll(); head != null; head = queue.poll())
            {
                queued.add(head);
            }
            assertEquals(kept, queued, "every put kept once, in order");
            assertEquals(Math.min(writes, DICT_KEYS), dict.size());
            for (int key = 0; key < Math.min(writes, DICT_KEYS); key++)
            {
                assertEquals(writes - 1 - Math.floorMod(writes - 1 - key, DICT_KEYS), dict.get(key),
                    "the last value put at " + key);
            }
            assertTrue(writers.usesPipe(), "the writer's handle reconnected onto the new manager's pipe");
            return writes;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted in the lane of " + name, ex);
        }
    }

    @Test
    @Timeout(120)
    void shouldReconnectClientsOnThePipeAndOnTheSocketWithCallsWaiting() throws Exception
    {
        final Manager first = start("waiting", durable());
        final Manager onSocket;
        System.setProperty(io.ipckit.manager.internal.ClientConnection.PIPE_PROP_NAME, "false");
        try
        {
            onSocket = Manager.connect("waiting", durable());
        }
        finally
        {
            System.clearProperty(io.ipckit.manager.internal.ClientConnection.PIPE_PROP_NAME);
        }
        managers.add(onSocket);
        final Manager onPipe = Manager.connect("waiting", durable());
        managers.add(onPipe);
        assertFalse(onSocket.usesPipe());
        assertTrue(onPipe.usesPipe());
        final BlockingQueue<Integer> fromSocket = onSocket.queue();
        onSocket.bind("jobs", fromSocket);
        @SuppressWarnings("unchecked")
        final BlockingQueue<Integer> fromPipe = onPipe.lookup("jobs", BlockingQueue.class);
        final java.util.Queue<Integer> taken = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> takers = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final BlockingQueue<Integer> queue = i == 0 ? fromSocket : fromPipe;
            takers.add(Thread.ofPlatform().start(() ->
            {
                try
                {
                    taken.add(queue.take());
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }));
        }
        io.ipckit.core.testing.Eventually.await("four takes waiting in the manager", java.time.Duration.ofSeconds(30),
            () -> first.stats().callsWaiting() == 4);

        // the manager dies under calls waiting on both paths; each client reconnects by itself and sends them again
        kill(first);
        final Manager second = start("waiting", durable());
        for (int i = 0; i < 4; i++)
        {
            fromSocket.put(i);
        }
        for (final Thread taker : takers)
        {
            taker.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(taker.isAlive(), "a take came back after the restart");
        }
        assertNull(failure.get(), () -> "a take failed: " + failure.get());
        assertEquals(Set.of(0, 1, 2, 3), Set.copyOf(taken), "each put taken once");
        assertEquals(4, taken.size());
        assertNull(fromPipe.poll());
        assertFalse(onSocket.usesPipe(), "the socket client stayed on its socket");
        assertTrue(onPipe.usesPipe(), "the pipe client is on the new manager's pipe");
        io.ipckit.core.testing.Eventually.await("no call left waiting", java.time.Duration.ofSeconds(30),
            () -> second.stats().callsWaiting() == 0);
    }

    @Test
    @Timeout(120)
    void shouldRefuseACorruptJournalNamingTheFile() throws Exception
    {
        final Manager manager = start("corrupt", durable());
        final ConcurrentMap<String, Integer> dict = manager.dict();
        dict.put("a", 1);
        manager.shutdown();
        final Path cycle;
        try (Stream<Path> files = Files.list(dir.path().resolve("journal")))
        {
            cycle = files.filter((f) -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile file = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            file.seek(0);
            file.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        final IpcException refused = assertThrows(IpcException.class, () -> start("corrupt", durable()));
        assertTrue(refused.getMessage().contains(cycle.getFileName().toString()), refused.getMessage());
    }

    @Test
    @Timeout(60)
    void shouldFailCallsWithManagerGoneWhenADurableManagerDoesNotComeBack() throws Exception
    {
        final Manager manager = start("gone", durable().reconnectTimeout(300, TimeUnit.MILLISECONDS));
        final ConcurrentMap<String, Integer> dict = manager.dict();
        dict.put("a", 1);
        kill(manager);
        final long startNs = System.nanoTime();
        assertThrows(ManagerGoneException.class, () -> dict.get("a"));
        final long failedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertTrue(failedMs < 30_000, "failed after the reconnect timeout, not the call timeout: " + failedMs + " ms");
        assertTrue(manager.isGone());
    }

    @Test
    void shouldNameChronicleFlagsWhenServedDurableInAJvmWithoutThem()
    {
        final IpcException refused = assertThrows(IpcException.class, () -> Manager.serve(
            UnixDomainSocketAddress.of(dir.path().resolve("served.sock")), new byte[] {1, 2, 3}, durable()));
        assertTrue(refused.getMessage().contains("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"),
            refused.getMessage());
    }

    @Test
    void shouldRefuseAnObjectItCannotSnapshot() throws IOException
    {
        final ManagerOptions options = durable().registry(ManagerRegistry.defaults().register("plain",
            Runnable.class, (ManagedFactory<Runnable>)(args) -> new Thread()));
        final Manager manager = start("plain", options);
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> manager.create("plain", Runnable.class));
        assertTrue(refused.getMessage().contains("not java.io.Serializable"), refused.getMessage());
    }
}
