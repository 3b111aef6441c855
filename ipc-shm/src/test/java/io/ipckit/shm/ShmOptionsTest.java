package io.ipckit.shm;

import io.ipckit.core.process.JvmProcess;
import io.ipckit.core.process.ProcessOptions;
import io.ipckit.core.testing.Eventually;
import io.ipckit.core.testing.TestDirectory;
import io.ipckit.shm.array.DType;
import io.ipckit.shm.array.SharedArray;
import io.ipckit.shm.list.ShareableList;
import io.ipckit.shm.sync.SharedEvent;
import io.ipckit.shm.sync.SharedLock;
import io.ipckit.shm.sync.SharedSemaphore;
import io.ipckit.shm.value.SharedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ShmOptionsTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @Test
    void shouldHaveDefaultsAndValidateAtSetTime()
    {
        final ShmOptions options = new ShmOptions();
        assertFalse(options.persistent());
        assertEquals(0, options.minSlotBytes());
        assertFalse(options.bounded());
        assertEquals(0, options.ownerSlots());
        assertEquals("minSlotBytes must be in 0.." + ShmOptions.MAX_MIN_SLOT_BYTES + ", got -1",
            assertThrows(IllegalArgumentException.class, () -> options.minSlotBytes(-1)).getMessage());
        assertEquals("ownerSlots must be in 0.." + ShmOptions.MAX_OWNER_SLOTS + ", got " +
            (ShmOptions.MAX_OWNER_SLOTS + 1), assertThrows(IllegalArgumentException.class,
            () -> options.ownerSlots(ShmOptions.MAX_OWNER_SLOTS + 1)).getMessage());
        assertEquals(0, options.ownerSlots(), "a refused value leaves the option as it was");
        assertEquals(ShmOptions.REDUCTION_THREADS_AUTO, options.reductionThreads());
        assertEquals("reductionThreads must be 0 (automatic) or in 1.." + ShmOptions.MAX_REDUCTION_THREADS +
            ", got -1", assertThrows(IllegalArgumentException.class, () -> options.reductionThreads(-1)).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> options.reductionThreads(ShmOptions.MAX_REDUCTION_THREADS + 1));
        assertTrue(options.persistent(true).bounded(true).minSlotBytes(16).ownerSlots(2).persistent());
        assertEquals(4, options.reductionThreads(4).reductionThreads());
        assertEquals("ShmOptions{persistent=true, minSlotBytes=16, bounded=true, ownerSlots=2, reductionThreads=4}",
            options.toString());
    }

    @Test
    void shouldRefuseAnOptionThatDoesNotApplyNamingIt()
    {
        final IllegalArgumentException array = assertThrows(IllegalArgumentException.class,
            () -> SharedArray.create("grid", DType.INT32, new ShmOptions().ownerSlots(4), 2));
        assertEquals("ShmOptions.ownerSlots does not apply to SharedArray \"grid\": it applies to a SharedSemaphore; " +
            "leave it at its default", array.getMessage());
        final IllegalArgumentException semaphore = assertThrows(IllegalArgumentException.class,
            () -> SharedSemaphore.create("sem", 1, new ShmOptions().minSlotBytes(8)));
        assertEquals("ShmOptions.minSlotBytes does not apply to Semaphore \"sem\": it applies to a ShareableList; " +
            "leave it at its default", semaphore.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> SharedMemory.create("raw", 64, new ShmOptions().bounded(true)));
        assertThrows(IllegalArgumentException.class,
            () -> SharedValue.create("value", DType.INT64, 1, new ShmOptions().minSlotBytes(8)));
        assertThrows(IllegalArgumentException.class,
            () -> ShareableList.create("list", List.of(1L), new ShmOptions().ownerSlots(1)));
        assertThrows(IllegalArgumentException.class, () -> SharedLock.create("lock", new ShmOptions().bounded(true)));
        assertThrows(NullPointerException.class, () -> SharedEvent.create("event", null));
        assertEquals("ShmOptions.reductionThreads does not apply to SharedValue \"value\": it applies to a " +
            "SharedArray's create and open; leave it at its default", assertThrows(IllegalArgumentException.class,
            () -> SharedValue.create("value", DType.INT64, 1, new ShmOptions().reductionThreads(2))).getMessage());
        try (SharedArray opened = SharedArray.create("opened", DType.INT32, 4))
        {
            assertEquals("ShmOptions.persistent does not apply to the open of SharedArray \"opened\": it applies to " +
                "the resources whose create takes ShmOptions; leave it at its default",
                assertThrows(IllegalArgumentException.class,
                    () -> SharedArray.open("opened", new ShmOptions().persistent(true))).getMessage());
            opened.unlink();
        }
        assertEquals(List.of(), dir.list(), "nothing is created when an option is refused");
    }

    @Test
    void shouldApplyEveryOptionThatApplies() throws InterruptedException
    {
        try (ShareableList list = ShareableList.create("list", List.of("a"), new ShmOptions().minSlotBytes(40));
            SharedSemaphore semaphore = SharedSemaphore.create("sem", 1,
                new ShmOptions().bounded(true).ownerSlots(2).persistent(true)))
        {
            list.set(0, "a string of forty bytes, exactly: 123456");
            assertTrue(semaphore.isBounded());
            assertTrue(semaphore.isTrackingOwners());
            assertTrue(semaphore.tryAcquire(0, TimeUnit.SECONDS));
            assertEquals(1, semaphore.permitsHeldByThisProcess());
            semaphore.release();
            assertThrows(IllegalStateException.class, semaphore::release);
            list.unlink();
            assertTrue(semaphore.unlink());
        }
    }

    @Test
    void shouldKeepAPersistentSegmentWhenItsCreatorIsKilled() throws InterruptedException
    {
        final JvmProcess child = dir.start(SharedMemoryChild.class, "create-persistent-and-wait", "kept", "4096");
        Eventually.await("child created kept", Duration.ofSeconds(30), () ->
        {
            if (!Files.exists(dir.path().resolve("kept")))
            {
                return false;
            }
            try (SharedMemory shm = SharedMemory.open("kept"))
            {
                return shm.buffer().getLongAcquire(0) == 1L;
            }
            catch (final RuntimeException ex)
            {
                return false; // found while its creator was still sizing it
            }
        });
        child.kill();
        assertTrue(child.join(30, TimeUnit.SECONDS));
        assertFalse(dir.registered("kept"), "a persistent segment is not given to the tracker");
        try (SharedMemory shm = SharedMemory.open("kept"))
        {
            assertEquals(1L, shm.buffer().getLongAcquire(0), "the segment outlived its creator");
            shm.unlink();
        }
    }
}
