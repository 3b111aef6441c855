package io.ipckit.core.internal.kit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShortCopyTest
{
    @Test
    void shouldCopyEveryLengthAtEveryAlignmentBetweenTheHeapAndOffHeapMemoryAndTouchNothingElse()
    {
        final int room = 2 * ShortCopy.INLINE_BYTES + 64;
        final byte[] heap = new byte[room];
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(room));
        for (int length = 0; length <= ShortCopy.INLINE_BYTES + 40; length++)
        {
            for (int shift = 0; shift < 8; shift++)
            {
                for (int i = 0; i < room; i++)
                {
                    heap[i] = (byte)(i * 31 + length);
                    direct.putByte(i, (byte)-1);
                }
                // heap -> off-heap, both unaligned by shift
                ShortCopy.copy(heap, BufferUtil.ARRAY_BASE_OFFSET + shift, null, direct.addressOffset() + 8 + shift,
                    length);
                for (int i = 0; i < room; i++)
                {
                    final boolean copied = i >= 8 + shift && i < 8 + shift + length;
                    assertEquals(copied ? heap[i - 8] : (byte)-1, direct.getByte(i),
                        "length " + length + ", shift " + shift + ", byte " + i);
                }
                // off-heap -> heap
                final byte[] back = new byte[room];
                ShortCopy.copy(null, direct.addressOffset() + 8 + shift, back, BufferUtil.ARRAY_BASE_OFFSET + 3,
                    length);
                for (int i = 0; i < room; i++)
                {
                    final boolean copied = i >= 3 && i < 3 + length;
                    assertEquals(copied ? heap[shift + i - 3] : 0, back[i],
                        "back: length " + length + ", shift " + shift + ", byte " + i);
                }
            }
        }
    }
}
