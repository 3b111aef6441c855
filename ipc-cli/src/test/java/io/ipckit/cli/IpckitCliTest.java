package io.ipckit.cli;

import io.ipckit.core.ResourceInfo;
import io.ipckit.core.SharedDirectory;
import io.ipckit.core.file.ResourceHeaderDescriptor;
import io.ipckit.core.internal.process.JvmFlags;
import io.ipckit.core.internal.kit.OwnerToken;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.sync.SharedLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpckitCliTest
{
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    private final List<Process> rawChildren = new ArrayList<>();

    @AfterEach
    void killRawChildren() throws InterruptedException
    {
        for (final Process child : rawChildren)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldListStatAndTailResourcesOfAnotherProcess()
    {
        final JvmProcess child = dir.start(Maker.class, new ProcessOptions().daemon(true)
            .args("queue:jobs", "lock:guard", "semaphore:permits", "barrier:gate", "pipe:wire", "event:ready"));
        awaitReady("ready");

        final Cli ls = Cli.run("ls", "--json");
        assertEquals(0, ls.code(), ls::toString);
        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(ls.out());
        assertEquals(List.of("gate", "guard", "jobs", "permits", "ready", "wire"),
            rows.stream().map((r) -> r.get("name")).toList());
        for (final Map<String, Object> row : rows)
        {
            assertEquals(child.pid(), row.get("creatorPid"), row::toString);
            assertEquals(Boolean.TRUE, row.get("alive"), row::toString);
            assertEquals("ready", row.get("state"), row::toString);
        }
        assertEquals(Boolean.TRUE, rows.get(1).get("persistent"));
        assertEquals("Queue", rows.get(2).get("kind"));

        final Cli text = Cli.run("ls", "--kind", "queue");
        assertEquals(0, text.code(), text::toString);
        assertEquals(2, text.out().lines().count(), text::toString);
        assertTrue(text.out().lines().skip(1).findFirst().orElseThrow().startsWith("jobs "), text::toString);
        assertFalse(text.out().contains("\u001b["), "no ANSI colour when stdout is not a terminal");

        final Map<String, Object> queue = stat("jobs");
        assertEquals(3L, queue.get("depth"));
        assertEquals("FIFO queue", queue.get("variant"));
        assertEquals(Boolean.TRUE, queue.get("fifoAcrossProducers"), "one shared ring is in order");
        assertEquals(0L, queue.get("waitingConsumers"));
        final Map<String, Object> lock = stat("guard");
        assertEquals(child.pid(), lock.get("ownerPid"));
        assertEquals(Boolean.TRUE, lock.get("ownerAlive"));
        assertEquals(0L, lock.get("takeovers"));
        final Map<String, Object> semaphore = stat("permits");
        assertEquals(2L, semaphore.get("permits"));
        final Map<String, Object> barrier = stat("gate");
        assertEquals(3L, barrier.get("parties"));
        assertEquals(0L, barrier.get("arrived"));
        // a slot being cleaned up after a death shows the process cleaning it
        try (io.ipckit.core.file.MappedFile raw = io.ipckit.core.file.MappedFile.open("gate"))
        {
            final int slot = io.ipckit.core.file.ResourceHeaderDescriptor.headerLength(0) +
                io.ipckit.shm.sync.BarrierDescriptor.TABLE_OFFSET + 16; // the child holds the first
            final long cleaner = OwnerToken.current();
            raw.buffer().putLongVolatile(slot, cleaner | OwnerToken.RECLAIM_MARK);
            @SuppressWarnings("unchecked") final List<Map<String, Object>> attached =
                (List<Map<String, Object>>)stat("gate").get("attached");
            raw.buffer().putLongVolatile(slot, 0);
            assertEquals(Map.of("process", "reclaiming", "processReclaimerPid", OwnerToken.pid(cleaner),
                "processReclaimerAlive", true, "attachments", 0L), attached.get(1), attached::toString);
        }
        final Map<String, Object> pipe = stat("wire");
        @SuppressWarnings("unchecked") final Map<String, Object> aToB = (Map<String, Object>)pipe.get("aToB");
        assertTrue((Long)aToB.get("bytesUsed") > 0, pipe::toString);

        final Cli tail = Cli.run("tail", "jobs", "--json");
        assertEquals(0, tail.code(), tail::toString);
        assertEquals(List.of("one", "two", "three"),
            JsonCheck.parseArrayOfObjects(tail.out()).stream().map((r) -> r.get("text")).toList());
        assertEquals(3L, stat("jobs").get("depth"), "tail does not consume");
        final Cli tailText = Cli.run("tail", "jobs", "-n", "1");
        assertTrue(tailText.out().contains("\"three\""), tailText::toString);
        assertFalse(tailText.out().contains("\"two\""), tailText::toString);

        final Cli dump = Cli.run("dump", "jobs", "--json");
        assertEquals(0, dump.code(), dump::toString);
        final Map<String, Object> dumped = JsonCheck.parseObject(dump.out());
        assertTrue(dumped.containsKey("header") && dumped.containsKey("layout") && dumped.containsKey("metadataHex"),
            dump::toString);
        assertTrue(Cli.run("dump", "guard").out().contains("ownerPid: " + child.pid()));

        final Cli refused = Cli.run("rm", "jobs");
        assertEquals(1, refused.code(), refused::toString);
        assertTrue(refused.err().contains("is alive; use --force"), refused::toString);
        assertTrue(SharedDirectory.exists("jobs"));
        final Cli unlock = Cli.run("unlock", "guard");
        assertEquals(1, unlock.code(), unlock::toString);
        assertTrue(unlock.err().contains("which is alive: not unlocked"), unlock::toString);
        final Cli forced = Cli.run("rm", "--force", "jobs");
        assertEquals(0, forced.code(), forced::toString);
        assertFalse(SharedDirectory.exists("jobs"));
        Cli.run("rm", "--force", "guard");
    }

    @Test
    void shouldUnlockAndRemoveWhatASigkilledCreatorLeft() throws Exception
    {
        final Process child = startUnreaped("queue:left", "lock:held", "event:ready");
        awaitReady("ready");
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        Eventually.await("creator seen dead", DEADLINE, () -> SharedDirectory.info("held").creatorDead());

        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(Cli.run("ls", "--json").out());
        assertEquals(3, rows.size());
        rows.forEach((row) -> assertEquals(Boolean.FALSE, row.get("alive"), row::toString));
        assertTrue(Cli.run("ls").out().contains(" dead "));

        final Map<String, Object> before = stat("held");
        assertEquals(Boolean.FALSE, before.get("ownerAlive"));
        final Cli unlock = Cli.run("unlock", "held");
        assertEquals(0, unlock.code(), unlock::toString);
        final Map<String, Object> after = stat("held");
        assertEquals("none", after.get("owner"));
        assertEquals(1L, after.get("takeovers"));
        try (SharedLock lock = SharedLock.open("held"))
        {
            assertTrue(lock.tryLock(), "free for the next process");
            lock.unlock();
        }
        final Cli again = Cli.run("unlock", "held");
        assertEquals(1, again.code(), again::toString);
        assertTrue(again.err().contains("is not locked"), again::toString);

        final Cli rm = Cli.run("rm", "--dead", "--json");
        assertEquals(0, rm.code(), rm::toString);
        assertEquals(List.of("left", "ready"),
            JsonCheck.parseArrayOfObjects(rm.out()).stream().map((r) -> r.get("name")).toList(),
            "the persistent lock is kept without --persistent");
        assertEquals(List.of("held"), SharedDirectory.list().stream().map(ResourceInfo::name).toList());
        assertTrue(dir.list().stream().noneMatch((n) -> n.startsWith(".ipckit-owned-")),
            "the dead creator's registry went with its resources: " + dir.list());
        assertEquals(0, Cli.run("rm", "--dead", "--persistent").code());
        assertEquals(List.of(), SharedDirectory.list());
    }

    @Test
    void shouldSpareALiveCreatorsResourceOnRmDead() throws Exception
    {
        final JvmProcess alive = dir.start(Maker.class, new ProcessOptions().daemon(true).args("event:live"));
        final Process dead = startUnreaped("event:gone");
        awaitReady("live");
        awaitReady("gone");
        dead.destroyForcibly();
        assertTrue(dead.waitFor(30, TimeUnit.SECONDS));
        Eventually.await("creator seen dead", DEADLINE, () -> SharedDirectory.info("gone").creatorDead());

        final Cli rm = Cli.run("rm", "--dead");
        assertEquals(0, rm.code(), rm::toString);
        assertTrue(rm.out().contains("removed gone"), rm::toString);
        assertEquals(List.of("live"), SharedDirectory.list().stream().map(ResourceInfo::name).toList());
        assertTrue(alive.isAlive());
    }

    @Test
    void shouldListCorruptFilesAsCorruptAndDumpThemInHex() throws Exception
    {
        final ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(ResourceHeaderDescriptor.MAGIC_OFFSET, ResourceHeaderDescriptor.MAGIC);
        header.putInt(ResourceHeaderDescriptor.KIND_OFFSET, 21);
        header.putInt(ResourceHeaderDescriptor.LAYOUT_VERSION_OFFSET, 6);
        header.putInt(ResourceHeaderDescriptor.HEADER_LENGTH_OFFSET, 64);
        header.putLong(ResourceHeaderDescriptor.TOTAL_LENGTH_OFFSET, 1 << 20);
        header.putInt(ResourceHeaderDescriptor.READY_OFFSET, ResourceHeaderDescriptor.READY);
        Files.write(dir.path().resolve("broken"), header.array());
        Files.write(dir.path().resolve("raw"), "not ipckit".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        final Cli ls = Cli.run("ls", "--json");
        assertEquals(0, ls.code(), ls::toString);
        final List<Map<String, Object>> rows = JsonCheck.parseArrayOfObjects(ls.out());
        assertEquals("corrupt", rows.get(0).get("state"));
        assertEquals("file is 64 bytes but its header says 1048576 (truncated or overwritten)", rows.get(0).get("problem"));
        assertEquals("raw", rows.get(1).get("state"));
        assertEquals("SharedMemory", rows.get(1).get("kind"));
        assertEquals(1, Cli.run("ls", "--kind", "corrupt").out().lines().skip(1).count());

        final Cli stat = Cli.run("stat", "broken");
        assertEquals(1, stat.code(), stat::toString);
        assertTrue(stat.err().contains("is corrupt (file is 64 bytes"), stat::toString);
        final Cli dump = Cli.run("dump", "raw");
        assertEquals(0, dump.code(), dump::toString);
        assertTrue(dump.out().contains("|not ipckit|"), dump::toString);
        final Cli tail = Cli.run("tail", "raw");
        assertEquals(1, tail.code(), tail::toString);
        assertEquals(0, Cli.run("rm", "broken", "raw").code(), "no live creator: removed without --force");
        assertEquals(List.of(), dir.list());
    }

    @Test
    void shouldWatchAResourceAndPrintOneJsonObjectPerLine()
    {
        dir.start(Maker.class, new ProcessOptions().daemon(true).args("semaphore:s", "event:ready"));
        awaitReady("ready");
        final Cli watch = Cli.run("stat", "s", "--watch", "10ms", "--count", "3", "--json");
        assertEquals(0, watch.code(), watch::toString);
        final List<String> lines = watch.out().lines().toList();
        assertEquals(3, lines.size(), watch::toString);
        lines.forEach((line) -> assertEquals(2L, JsonCheck.parseObject(line).get("permits")));
    }

    @Test
    void shouldShowTheTypeShapeAndFirstElementsOfValuesAndArrays()
    {
        dir.start(Maker.class, new ProcessOptions().daemon(true).args("value:v", "array:a", "event:ready"));
        awaitReady("ready");
        final Map<String, Object> value = stat("v");
        assertEquals("<i8", value.get("dtype"));
        assertEquals(3L, value.get("length"));
        assertEquals(List.of(7L, 8L, 9L), value.get("first"));
        final Map<String, Object> array = stat("a");
        assertEquals("<f8", array.get("dtype"));
        assertEquals("[2, 2]", array.get("shape"));
        assertEquals(List.of(0.5, 1.5, 2.5, 3.5), array.get("first"));
    }

    @Test
    void shouldFailWithExitCodeOneOnAMissingResource()
    {
        for (final String command : List.of("stat", "dump", "tail", "unlock"))
        {
            final Cli cli = Cli.run(command, "nothing");
            assertEquals(1, cli.code(), cli::toString);
            assertTrue(cli.err().contains("no resource named \"nothing\""), cli::toString);
        }
        final Cli rm = Cli.run("rm", "nothing");
        assertEquals(1, rm.code(), rm::toString);
        assertTrue(rm.err().contains("not removed nothing: no such resource"), rm::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ls --bogus", "stat", "rm", "rm --dead NAME", "dump a b", "tail", "unlock",
        "stat s --watch x", "nosuch", ""})
    void shouldFailWithExitCodeTwoOnBadUsage(final String line)
    {
        final Cli cli = Cli.run(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(2, cli.code(), cli::toString);
        assertTrue(cli.err().contains("Usage: ipckit"), cli::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ls", "stat", "rm", "dump", "tail", "unlock"})
    void shouldPrintHelpForEveryCommand(final String command)
    {
        final Cli cli = Cli.run(command, "--help");
        assertEquals(0, cli.code(), cli::toString);
        assertTrue(cli.out().startsWith("Usage: ipckit " + command), cli::toString);
    }

    private static Map<String, Object> stat(final String name)
    {
        final Cli cli = Cli.run("stat", name, "--json");
        assertEquals(0, cli.code(), cli::toString);
        return JsonCheck.parseObject(cli.out());
    }

    private static void awaitReady(final String name)
    {
        Eventually.await(name + " created", DEADLINE, () -> SharedDirectory.exists(name) &&
            SharedDirectory.info(name).state() == ResourceInfo.State.READY);
    }

    /**
     * Starts {@link Maker} as a plain child process that no {@link JvmProcess} watches, so that nothing reaps what
     * it leaves when killed: a creator that died with its parent, or that was started by another tool.
     */
    private Process startUnreaped(final String... specs) throws java.io.IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(JvmFlags.forChild());
        command.add("-D" + SharedDirectory.DIRECTORY_PROP_NAME + "=" + dir.path());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Maker.class.getName());
        command.addAll(List.of(specs));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        rawChildren.add(process);
        return process;
    }
}
