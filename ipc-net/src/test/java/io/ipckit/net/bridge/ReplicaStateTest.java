package io.ipckit.net.bridge;

import io.ipckit.core.exceptions.IpcException;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.ipckit.net.bridge.BridgeMessageDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The replica's write-ahead state: where a replica resumes after a death at each point of an append.
 */
class ReplicaStateTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldResumeFromTheStartThenFromOrAfterThePreparedRecordAcrossReopening()
    {
        final Path directory = dir.path();
        try (ReplicaState state = ReplicaState.openOrCreate(directory))
        {
            assertEquals(FROM_START, state.resumeMode(-1));
            assertEquals(ReplicaStateDescriptor.NO_RECORD, state.sourceIndex());
            assertEquals(ReplicaStateDescriptor.NO_RECORD, state.appendedSourceIndex(-1));
            state.prepare(-1, 100); // then killed before the append: the replica log is still empty
        }
        try (ReplicaState state = ReplicaState.openOrCreate(directory))
        {
            assertEquals(100, state.sourceIndex());
            assertEquals(FROM_INDEX, state.resumeMode(-1), "not appended: resume from it");
            assertEquals(ReplicaStateDescriptor.NO_RECORD, state.appendedSourceIndex(-1), "none appended yet");
            assertEquals(AFTER_INDEX, state.resumeMode(7), "appended (the log grew): resume after it");
            assertEquals(100, state.appendedSourceIndex(7));
            state.prepare(7, 101);
            assertEquals(101, state.sourceIndex());
            assertEquals(FROM_INDEX, state.resumeMode(7));
            assertEquals(100, state.appendedSourceIndex(7), "101 prepared, not appended: 100 is the last one");
            assertEquals(AFTER_INDEX, state.resumeMode(8));
            assertEquals(101, state.appendedSourceIndex(8));
            state.prepare(8, 102);
            assertEquals(101, state.appendedSourceIndex(8), "the other slot again, after the slots turned round");
        }
        assertFalse(Files.exists(directory.resolve(ReplicaStateDescriptor.FILE_NAME + ".new")));
    }

    @Test
    void shouldRefuseAReplicaLogThatDoesNotMatchItsStateOrAFileThatIsNotOne() throws Exception
    {
        final Path directory = dir.path();
        try (ReplicaState state = ReplicaState.openOrCreate(directory))
        {
            assertTrue(assertThrows(IpcException.class, () -> state.resumeMode(3)).getMessage()
                .contains("holds records but its state names none"));
            state.prepare(10, 200);
            assertTrue(assertThrows(IpcException.class, () -> state.resumeMode(9)).getMessage()
                .contains("ends before index 10 where its state says it did"));
        }
        Files.write(directory.resolve(ReplicaStateDescriptor.FILE_NAME), new byte[ReplicaStateDescriptor.LENGTH]);
        assertTrue(assertThrows(IpcException.class, () -> ReplicaState.openOrCreate(directory)).getMessage()
            .contains("is not an ipckit replica state file"));
    }
}
