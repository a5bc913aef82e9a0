package org.ipc4j.shm.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies of message bytes between caller buffers and a ring's data area (the mapping, addressed by region
 * index). Short messages are copied in 8-byte words: the ByteBuffer bulk copy costs more in checks and its
 * native copy call than such a message takes to copy. A word is read and written in the caller buffer's
 * byte order (the ring keeps a view of the mapping in each order), so the bytes land unchanged. JDK access
 * only, every access bounds-checked against the buffers.
 */
final class RingCopies {
    /** Messages up to this size are copied word by word. */
    private static final int SMALL_COPY = 256;

    private RingCopies() {
    }

    /** The view of the mapping in {@code buffer}'s byte order. */
    private static ByteBuffer viewFor(RingMemory ring, ByteBuffer buffer) {
        return buffer.order() == ByteOrder.LITTLE_ENDIAN ? ring.view : ring.viewBigEndian;
    }

    /**
     * Copies {@code length} bytes from {@code src} at its position to region index {@code payloadOffset} (a
     * claimed payload of {@code ring}); the position does not move.
     */
    static void copyIn(RingMemory ring, long payloadOffset, ByteBuffer src, int length) {
        int position = src.position();
        // capacity is final: bounds a position or limit another thread may change under us
        if (length < 0 || length > src.capacity() - position || length > ring.maxMessage) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        ByteBuffer view = viewFor(ring, src);
        int to = (int) payloadOffset;
        if (length > SMALL_COPY) {
            view.put(to, src, position, length);
            return;
        }
        int at = 0;
        for (; at <= length - 8; at += 8) {
            view.putLong(to + at, src.getLong(position + at));
        }
        for (; at < length; at++) {
            view.put(to + at, src.get(position + at));
        }
    }

    /** Copies a message at region index {@code from} of {@code ring}'s mapping into {@code dst} at {@code position}. */
    static void copyOut(RingMemory ring, int from, ByteBuffer dst, int position, int length) {
        // capacity is final: bounds a position another thread may change under us
        if (position < 0 || length > dst.capacity() - position) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        ByteBuffer view = viewFor(ring, dst);
        if (length > SMALL_COPY || dst.isReadOnly()) {
            dst.put(position, view, from, length);
            return;
        }
        int at = 0;
        for (; at <= length - 8; at += 8) {
            dst.putLong(position + at, view.getLong(from + at));
        }
        for (; at < length; at++) {
            dst.put(position + at, view.get(from + at));
        }
    }
}
