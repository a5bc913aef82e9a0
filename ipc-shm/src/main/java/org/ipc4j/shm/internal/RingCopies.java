package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingMemory.M;

import java.lang.ref.Reference;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import net.openhft.chronicle.core.UnsafeMemory;

/**
 * Copies of message bytes between caller buffers and a ring's data area. Short messages between direct
 * buffers and the mapping are copied in 8-byte words: the ByteBuffer bulk copy costs more in checks and
 * its native copy call than such a message takes to copy.
 */
final class RingCopies {
    /** Messages up to this size are copied word by word. */
    private static final int SMALL_COPY = 256;
    private static final sun.misc.Unsafe U = UnsafeMemory.UNSAFE;
    private static final long BYTE_ARRAY_BASE = U.arrayBaseOffset(byte[].class);
    /** Offset of {@code java.nio.Buffer.address} (a direct buffer's base address), or -1 if not found. */
    private static final long BUFFER_ADDRESS = bufferAddressOffset();

    private RingCopies() {
    }

    /**
     * Copies {@code length} bytes from {@code src} at its position to region index {@code payloadOffset} (a
     * claimed payload in the mapping {@code view} at {@code regionAddress}); the position does not move.
     */
    static void copyIn(ByteBuffer view, long regionAddress, int maxMessage, long payloadOffset, ByteBuffer src,
            int length) {
        int position = src.position();
        // capacity is final: bounds a position or limit another thread may change under us
        if (length < 0 || length > src.capacity() - position || length > maxMessage) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        long to = regionAddress + payloadOffset;
        if (length <= SMALL_COPY && src.isDirect() && BUFFER_ADDRESS >= 0) {
            // read the source address once and copy in words
            long from = U.getLong(src, BUFFER_ADDRESS) + position;
            if ((from & 7) == 0) {
                copyWords(from, to, length);
            } else {
                U.copyMemory(from, to, length);
            }
            Reference.reachabilityFence(src);
        } else if (src.hasArray()) {
            U.copyMemory(src.array(), BYTE_ARRAY_BASE + src.arrayOffset() + position, null, to, length);
        } else {
            view.put((int) payloadOffset, src, position, length);
        }
    }

    /** Copies a message at address {@code from} of the mapping into {@code dst} at {@code position} (room checked). */
    static void copyOut(ByteBuffer view, long regionAddress, long from, ByteBuffer dst, int position, int length) {
        // capacity is final: bounds a position another thread may change under us before raw stores
        if (position < 0 || length > dst.capacity() - position) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        if (length <= SMALL_COPY && dst.isDirect() && BUFFER_ADDRESS >= 0 && !dst.isReadOnly()) {
            copyWords(from, U.getLong(dst, BUFFER_ADDRESS) + position, length);
            Reference.reachabilityFence(dst);
        } else if (dst.hasArray()) {
            // a byte[] receive's buffer: straight into the array, without the bulk put's checks
            U.copyMemory(null, from, dst.array(), BYTE_ARRAY_BASE + dst.arrayOffset() + position, length);
        } else {
            dst.put(position, view, (int) (from - regionAddress), length);
        }
    }

    /** Copies a short message in 8-byte words, then the bytes left over. */
    private static void copyWords(long from, long to, int length) {
        int at = 0;
        for (; at <= length - 8; at += 8) {
            M.writeLong(to + at, M.readLong(from + at));
        }
        for (; at < length; at++) {
            M.writeByte(to + at, M.readByte(from + at));
        }
    }

    @SuppressWarnings("deprecation")
    private static long bufferAddressOffset() {
        try {
            long offset = U.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            ByteBuffer probe = ByteBuffer.allocateDirect(8);
            probe.putLong(0, 0x0102030405060708L);
            long address = U.getLong(probe, offset);
            boolean ok = address != 0 && M.readByte(address) == 1 && M.readByte(address + 7) == 8;
            Reference.reachabilityFence(probe);
            return ok ? offset : -1;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
