package io.ipckit.durable;

import io.ipckit.core.codec.Codecs;
import io.ipckit.core.process.ProcessIdentity;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class JournalTest
{
    private static final ProcessIdentity ALICE = new ProcessIdentity(101, 5001);
    private static final ProcessIdentity BOB = new ProcessIdentity(202, 6002);

    @RegisterExtension
    final LogDirectory logs = new LogDirectory();

    @Test
    void shouldReplayEverythingWhenThereIsNoSnapshot()
    {
        final Path dir = logs.resolve("journal");
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.append(ALICE, 1, bytes("set a=1"));
            journal.append(BOB, 1, bytes("set b=2"));
            journal.append(ALICE, 2, bytes("del a"));
        }
        final Recorder recorder = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            assertEquals(3, journal.replay(recorder));
        }
        assertEquals(List.of("mutation 101@5001#1 set a=1", "mutation 202@6002#1 set b=2", "mutation 101@5001#2 del a"),
            recorder.entries);
    }

    /**
     * A slice outside its buffer, or a body longer than a record holds, is refused before anything is reserved.
     * Before, the journal's scratch buffer first grew to the length asked (1.5 GB here: the direct memory ran out, or
     * stayed held), then the copy threw a bare IndexOutOfBoundsException.
     */
    @Test
    void shouldRefuseABodyOutsideItsBufferOrLongerThanARecord()
    {
        try (Journal journal = Journal.openOrCreate(logs.resolve("bounds"), new SharedLogOptions()))
        {
            final UnsafeBuffer small = new UnsafeBuffer(new byte[8]);
            assertThrows(IndexOutOfBoundsException.class, () -> journal.snapshot(small, 0, 1_500_000_000));
            assertThrows(IndexOutOfBoundsException.class, () -> journal.append(ALICE, 1, small, 4, 8));
            final int tooLong = journal.log().maxRecordLength();
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> journal.append(ALICE, 1, new byte[tooLong]));
            assertTrue(ex.getMessage().contains("a journal entry of " + tooLong + " bytes does not fit"),
                ex.getMessage());
            journal.append(ALICE, 1, bytes("set a=1"));
        }
        try (Journal journal = Journal.openOrCreate(logs.resolve("bounds"), new SharedLogOptions()))
        {
            assertEquals(1, journal.replay(new Recorder()), "only the entry that fitted was kept");
        }
    }

    @Test
    void shouldReplayFromTheLastSnapshotAfterARestart()
    {
        final Path dir = logs.resolve("journal");
        final long lastSnapshot;
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.append(ALICE, 1, bytes("set a=1"));
            journal.snapshot(bytes("{a=1}"));
            journal.append(BOB, 7, bytes("set b=2"));
            lastSnapshot = journal.snapshot(bytes("{a=1, b=2}"));
            journal.append(ALICE, 2, bytes("del a"));
            journal.append(BOB, 8, bytes("set c=3"));
        }
        final Recorder recorder = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            assertEquals(3, journal.replay(recorder));
            assertEquals(lastSnapshot, recorder.indices.getFirst());
            // replaying does not move the mark: a second replay sees the same
            final Recorder again = new Recorder();
            journal.replay(again);
            assertEquals(recorder.entries, again.entries);
        }
        assertEquals(List.of("snapshot {a=1, b=2}", "mutation 101@5001#2 del a", "mutation 202@6002#8 set c=3"),
            recorder.entries);
    }

    /**
     * A snapshot of the state at an earlier entry, written while later entries were appended: a replay hands over the
     * snapshot, then the entries after the one it covers (those appended before the snapshot included), and passes
     * the snapshot over when it meets it again. A second such snapshot written while the mark still lags (a writer
     * killed between the append and the mark's move) is passed over too: the entries before it were handed over.
     */
    @Test
    void shouldReplayTheEntriesAfterTheOneASnapshotOfAnEarlierEntryCovers()
    {
        final Path dir = logs.resolve("earlier");
        final long covering;
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.snapshot(bytes("{}"));
            journal.append(ALICE, 1, bytes("set a=1"));
            final long taken = journal.lastEntryIndex();
            journal.append(BOB, 1, bytes("set b=2")); // while the state taken at a=1 is encoded
            covering = journal.snapshot(new UnsafeBuffer(bytes("{a=1}")), 0, 5, taken);
            journal.append(ALICE, 2, bytes("set c=3"));
            final Recorder live = new Recorder();
            assertEquals(3, journal.replay(live));
            assertEquals(List.of("snapshot {a=1}", "mutation 202@6002#1 set b=2", "mutation 101@5001#2 set c=3"),
                live.entries);
            assertEquals(covering, live.indices.getFirst());

            final IllegalArgumentException ahead = assertThrows(IllegalArgumentException.class,
                () -> journal.snapshot(new UnsafeBuffer(bytes("{}")), 0, 2, journal.lastEntryIndex() + 1));
            assertTrue(ahead.getMessage().contains("which it does not hold"), ahead.getMessage());
            assertThrows(IllegalArgumentException.class, () -> journal.snapshot(new UnsafeBuffer(bytes("{}")), 0, 2, -1));
        }
        final Recorder reopened = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            assertEquals(3, journal.replay(reopened));
        }
        assertEquals(List.of("snapshot {a=1}", "mutation 202@6002#1 set b=2", "mutation 101@5001#2 set c=3"),
            reopened.entries);

        // a newer snapshot of an earlier entry that the mark did not reach: the entries up to it are replayed once
        final Path laggingDir = logs.resolve("lagging");
        final long marked;
        try (Journal journal = Journal.openOrCreate(laggingDir, new SharedLogOptions()))
        {
            marked = snapshotWhileBIsSet(journal);
            final long later = journal.lastEntryIndex();
            journal.append(BOB, 2, bytes("set d=4"));
            journal.snapshot(new UnsafeBuffer(bytes("{a=1, b=2, c=3}")), 0, 15, later);
        }
        try (SharedLog<byte[]> log = SharedLog.open(laggingDir, Codecs.BYTES, new SharedLogOptions());
            LogReader<byte[]> mark = log.reader(Journal.SNAPSHOT_READER))
        {
            assertTrue(mark.seek(marked), "the mark put back, as a kill before its move leaves it");
        }
        try (Journal journal = Journal.openOrCreate(laggingDir, new SharedLogOptions()))
        {
            final Recorder lagging = new Recorder();
            assertEquals(4, journal.replay(lagging));
            assertEquals(List.of("snapshot {a=1}", "mutation 202@6002#1 set b=2", "mutation 101@5001#2 set c=3",
                "mutation 202@6002#2 set d=4"), lagging.entries);
        }
    }

    /**
     * A snapshot of every entry before it, met after the one replay starts from, still replaces the state; and a mark
     * on no snapshot (a writer killed before its first move) makes the replay find the journal's last snapshot, a
     * snapshot of an earlier entry included, rather than replay the mutations alone.
     */
    @Test
    void shouldReplaceTheStateWithALaterWholeSnapshotAndFindTheLastOneWithoutAMark()
    {
        final Path dir = logs.resolve("mixed");
        final long marked;
        final long last;
        final long mutation;
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            marked = snapshotWhileBIsSet(journal);
            journal.snapshot(bytes("{a=1, b=2, c=3}")); // a whole one, as a writer with its lock held takes
            journal.append(BOB, 2, bytes("set d=4"));
            final long before = journal.lastEntryIndex();
            journal.append(ALICE, 3, bytes("set e=5"));
            last = journal.snapshot(new UnsafeBuffer(bytes("{a=1, b=2, c=3, d=4}")), 0, 20, before);
            mutation = journal.append(BOB, 3, bytes("set f=6"));
        }
        moveMark(dir, marked); // back onto the first snapshot of an earlier entry, as a lagging mark is
        final Recorder fromEarlier = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.replay(fromEarlier);
        }
        assertEquals(List.of("snapshot {a=1}", "mutation 202@6002#1 set b=2", "mutation 101@5001#2 set c=3",
            "snapshot {a=1, b=2, c=3}", "mutation 202@6002#2 set d=4", "mutation 101@5001#3 set e=5",
            "mutation 202@6002#3 set f=6"), fromEarlier.entries, "the whole snapshot replaces, the last is passed over");

        moveMark(dir, mutation); // onto a mutation: no mark on a snapshot
        final Recorder unmarked = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.replay(unmarked);
        }
        assertEquals(last, unmarked.indices.getFirst());
        assertEquals(List.of("snapshot {a=1, b=2, c=3, d=4}", "mutation 101@5001#3 set e=5",
            "mutation 202@6002#3 set f=6"), unmarked.entries);
    }

    /**
     * A snapshot of an earlier entry whose header names an entry at or after it: corrupt, refused rather than followed.
     */
    @Test
    void shouldRefuseASnapshotThatCoversAnEntryAfterItself()
    {
        final Path dir = logs.resolve("forged");
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.append(ALICE, 1, bytes("set a=1"));
            final org.agrona.ExpandableArrayBuffer entry = new org.agrona.ExpandableArrayBuffer();
            entry.putInt(io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_OFFSET,
                io.ipckit.durable.internal.JournalRecordDescriptor.TYPE_SNAPSHOT_OF_EARLIER);
            final int body = io.ipckit.durable.internal.JournalRecordDescriptor.BODY_OFFSET;
            entry.putStringWithoutLengthUtf8(body, "{}");
            final long next = journal.lastEntryIndex() + 1;
            entry.putLong(io.ipckit.durable.internal.JournalRecordDescriptor.CALLER_SEQUENCE_OFFSET, next);
            assertEquals(next, journal.log().append(entry, 0, body + 2));
            try (LogReader<byte[]> mark = journal.log().reader(Journal.SNAPSHOT_READER))
            {
                assertTrue(mark.seek(next));
            }
        }
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            final CorruptLogException ex = assertThrows(CorruptLogException.class, () -> journal.replay(new Recorder()));
            assertTrue(ex.getMessage().contains("which is not before it: its header is corrupt"), ex.getMessage());
        }
    }

    /**
     * Writes a first snapshot, "set a=1", "set b=2" while the state after a=1 is encoded, that state's snapshot, then
     * "set c=3".
     *
     * @return the index of the snapshot of the state after a=1.
     */
    private static long snapshotWhileBIsSet(final Journal journal)
    {
        journal.snapshot(bytes("{}"));
        journal.append(ALICE, 1, bytes("set a=1"));
        final long taken = journal.lastEntryIndex();
        journal.append(BOB, 1, bytes("set b=2"));
        final long snapshot = journal.snapshot(new UnsafeBuffer(bytes("{a=1}")), 0, 5, taken);
        journal.append(ALICE, 2, bytes("set c=3"));
        return snapshot;
    }

    private static void moveMark(final Path dir, final long index)
    {
        try (SharedLog<byte[]> log = SharedLog.open(dir, Codecs.BYTES, new SharedLogOptions());
            LogReader<byte[]> mark = log.reader(Journal.SNAPSHOT_READER))
        {
            assertTrue(mark.seek(index), "the mark moved to " + Long.toHexString(index));
        }
    }

    /**
     * Retention removed the cycle of the entry the last snapshot covers: the replay cannot be whole and says so,
     * instead of starting after the snapshot and losing the entries between.
     */
    @Test
    void shouldRefuseToReplayWhenTheEntryTheSnapshotCoversIsGone()
    {
        final Path dir = logs.resolve("gone");
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.append(ALICE, 1, bytes("set a=1"));
            final long taken = journal.lastEntryIndex();
            journal.append(BOB, 1, bytes("set b=2"));
            // an index of a cycle the log does not hold, as one removed by retention would be
            final long removed = taken - (1L << 32);
            journal.snapshot(new UnsafeBuffer(bytes("{a=1}")), 0, 5, removed);
            final CorruptLogException ex = assertThrows(CorruptLogException.class, () -> journal.replay(new Recorder()));
            assertTrue(ex.getMessage().contains("which the log no longer holds: retention removed the cycles"),
                ex.getMessage());
        }
    }

    /**
     * The snapshot mark stays open for the journal's life: it must move with every snapshot of the handle, from any
     * thread, serve replays of the same handle, and be on disk for the next handle once this one closes.
     */
    @Test
    void shouldMoveTheSnapshotMarkWithEverySnapshotOfOneHandle() throws Exception
    {
        final Path dir = logs.resolve("marks");
        final long last;
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            journal.append(ALICE, 1, bytes("set a=1"));
            final long first = journal.snapshot(bytes("{a=1}"));
            journal.append(ALICE, 2, bytes("set b=2"));
            final Recorder before = new Recorder();
            assertEquals(2, journal.replay(before));
            assertEquals(first, before.indices.getFirst());

            final int threads = 4;
            final List<Long> indices = java.util.Collections.synchronizedList(new ArrayList<>());
            final java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            final List<Thread> snapshotters = new ArrayList<>();
            for (int i = 0; i < threads; i++)
            {
                final String state = "{a=1, b=2} from " + i;
                snapshotters.add(Thread.ofPlatform().start(() ->
                {
                    try
                    {
                        start.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    indices.add(journal.snapshot(bytes(state)));
                }));
            }
            start.countDown();
            for (final Thread snapshotter : snapshotters)
            {
                snapshotter.join();
            }
            assertEquals(threads, indices.size());
            last = java.util.Collections.max(indices);
            journal.append(BOB, 1, bytes("set c=3"));
            final Recorder after = new Recorder();
            assertEquals(2, journal.replay(after), "the last snapshot, then the one entry after it");
            assertEquals(last, after.indices.getFirst());
        }
        final Recorder reopened = new Recorder();
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            assertEquals(2, journal.replay(reopened));
            assertEquals(last, reopened.indices.getFirst());
            journal.close();
            assertThrows(io.ipckit.core.exceptions.ResourceClosedException.class,
                () -> journal.snapshot(bytes("{}")));
        }
        assertEquals("mutation 202@6002#1 set c=3", reopened.entries.getLast());
    }

    @Test
    void shouldRefuseALogThatHoldsSomethingElse()
    {
        final Path dir = logs.resolve("notjournal");
        try (SharedLog<String> log = SharedLog.create(dir, Codecs.STRING, new SharedLogOptions()))
        {
            log.append("hi");
        }
        try (Journal journal = Journal.openOrCreate(dir, new SharedLogOptions()))
        {
            final CorruptLogException ex = assertThrows(CorruptLogException.class, () -> journal.replay(new Recorder()));
            assertTrue(ex.getMessage().endsWith("is 2 bytes, not a journal entry: the log holds records of something " +
                "else"), ex.getMessage());
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Recorder implements JournalHandler
    {
        final List<String> entries = new ArrayList<>();
        final List<Long> indices = new ArrayList<>();

        @Override
        public void onSnapshot(final long index, final DirectBuffer buffer, final int offset, final int length)
        {
            indices.add(index);
            entries.add("snapshot " + buffer.getStringWithoutLengthUtf8(offset, length));
        }

        @Override
        public void onMutation(
            final long index, final ProcessIdentity caller, final long callerSequence, final DirectBuffer buffer,
            final int offset, final int length)
        {
            indices.add(index);
            entries.add("mutation " + caller + "#" + callerSequence + " " + buffer.getStringWithoutLengthUtf8(offset, length));
        }
    }
}
