package io.ipckit.manager.internal;

import io.ipckit.manager.ManagedPool;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the manager finds a call's method from the signature bytes of its frame, and what it works out once per method.
 */
class MethodTableTest
{
    /** The signature inside a frame, between other bytes, as the manager sees it. */
    private static ExposedMethod findInFrame(final Class<?> type, final String signature)
    {
        final byte[] utf8 = signature.getBytes(StandardCharsets.UTF_8);
        final byte[] frame = new byte[utf8.length + 40];
        java.util.Arrays.fill(frame, (byte)'x');
        System.arraycopy(utf8, 0, frame, 17, utf8.length);
        return Signatures.find(type, frame, 17, utf8.length);
    }

    @Test
    void shouldFindEveryPublicMethodByItsSignatureBytesAsByItsString()
    {
        for (final Class<?> type : List.of(ConcurrentMap.class, BlockingQueue.class, List.class, Lock.class,
            ManagedPool.class))
        {
            for (final Method method : type.getMethods())
            {
                final String signature = Signatures.of(method);
                final ExposedMethod found = findInFrame(type, signature);
                assertEquals(signature, found.signature(), type + " " + signature);
                assertEquals(signature, Signatures.of(found.method()), "the method the bytes name");
                assertEquals(method.getName(), found.method().getName());
                assertSame(found, findInFrame(type, signature), "the same entry each time: nothing made per call");
            }
        }
    }

    @Test
    void shouldFindNothingForASignatureTheTypeDoesNotExpose()
    {
        assertNull(findInFrame(ConcurrentMap.class, "toString()"), "declared by Object, not by the interface");
        assertNull(findInFrame(ConcurrentMap.class, "put(java.lang.Object)"));
        assertNull(findInFrame(ConcurrentMap.class, "put(java.lang.Object,java.lang.Object"), "one byte short");
        assertNull(findInFrame(ConcurrentMap.class, "put(java.lang.Object,java.lang.Object))"), "one byte over");
        assertNull(findInFrame(ConcurrentMap.class, ""));
        assertNull(findInFrame(Lock.class, "wait()"));
        assertNull(Signatures.find(ConcurrentMap.class, "put(java.lang.Object)"));
        assertTrue(ExposedMethod.TO_STRING.isNamedBy("toString()".getBytes(StandardCharsets.US_ASCII), 0, 10));
        assertFalse(ExposedMethod.TO_STRING.isNamedBy("toString(".getBytes(StandardCharsets.US_ASCII), 0, 9));
    }

    @Test
    void shouldWorkOutOnceWhetherACallBlocksAndWhereItsTimeoutIs() throws Exception
    {
        final ExposedMethod take = Signatures.exposed(BlockingQueue.class.getMethod("take"));
        assertTrue(take.blocking() && take.interruptible());
        assertEquals(-1, take.timeoutIndex());
        final ExposedMethod poll = Signatures.exposed(BlockingQueue.class.getMethod("poll", long.class,
            TimeUnit.class));
        assertTrue(poll.blocking() && poll.interruptible());
        assertEquals(0, poll.timeoutIndex());
        final ExposedMethod lock = Signatures.exposed(Lock.class.getMethod("lock"));
        assertTrue(lock.blocking(), "lock() blocks without declaring InterruptedException");
        assertFalse(lock.interruptible());
        final ExposedMethod tryLock = Signatures.exposed(Lock.class.getMethod("tryLock", long.class,
            TimeUnit.class));
        assertEquals(0, tryLock.timeoutIndex());
        final ExposedMethod put = Signatures.exposed(ConcurrentMap.class.getMethod("put", Object.class,
            Object.class));
        assertFalse(put.blocking() || put.interruptible());
        assertEquals(-1, put.timeoutIndex());
        assertEquals("put(java.lang.Object,java.lang.Object)", new String(put.signatureBytes(),
            StandardCharsets.UTF_8));
        assertSame(put, Signatures.exposed(ConcurrentMap.class.getMethod("put", Object.class, Object.class)));
    }
}
