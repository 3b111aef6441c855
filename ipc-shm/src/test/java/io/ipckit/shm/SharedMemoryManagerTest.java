package io.ipckit.shm;

import io.ipckit.core.exceptions.ResourceClosedException;
import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.list.ShareableList;
import io.ipckit.shm.value.SharedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedMemoryManagerTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldUnlinkEverythingItCreatedOnClose()
    {
        final SharedArray array;
        try (SharedMemoryManager manager = new SharedMemoryManager())
        {
            final SharedMemory memory = manager.sharedMemory("m", 100);
            array = manager.sharedArray(DType.INT32, 10);
            final SharedValue value = manager.sharedValue("v", DType.FLOAT64, 2);
            final ShareableList list = manager.shareableList(List.of("a", 2L));
            assertEquals(List.of("m", array.name(), "v", list.name()), manager.names());
            memory.buffer().putInt(0, 1);
            value.setDouble(1, 0.5);
            try (SharedArray opened = SharedArray.open(array.name()))
            {
                opened.setLong(9, 3);
            }
            assertEquals(3, array.sumLong());
            assertEquals(5, dir.list().size(), "four resources and this process's tracker registry: " + dir.list());
        }
        assertEquals(List.of(), dir.list(), "close unlinks every resource and the tracker's registry empties");
        assertThrows(ResourceClosedException.class, () -> array.getLong(0), "and closes the mappings");
    }

    @Test
    void shouldToleratePeersUnlinkingAndRefuseUseAfterClose()
    {
        final SharedMemoryManager manager = new SharedMemoryManager();
        manager.sharedMemory("gone", 10);
        manager.sharedValue("kept", DType.INT32, 1);
        try (SharedMemory other = SharedMemory.open("gone"))
        {
            other.unlink();
        }
        manager.close();
        manager.close();
        assertEquals(List.of(), dir.list());
        final ResourceClosedException closed = assertThrows(ResourceClosedException.class,
            () -> manager.sharedArray(DType.INT8, 1));
        assertEquals("this SharedMemoryManager is closed and has unlinked what it created; use a new manager",
            closed.getMessage());
        assertEquals(List.of(), manager.names());
    }

    @Test
    void shouldLeaveNothingWhenItsProcessIsKilled() throws InterruptedException
    {
        final JvmProcess child = dir.start(SharedMemoryManagerChild.class, "k");
        Eventually.await("the child creates four resources", Duration.ofSeconds(30),
            () -> dir.list().contains("k-list"));
        try (ShareableList list = ShareableList.open("k-list"))
        {
            assertEquals("x", list.get(0));
        }
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS));
        assertEquals(List.of(), dir.list(), "the tracker removed what the killed manager held");
    }
}
