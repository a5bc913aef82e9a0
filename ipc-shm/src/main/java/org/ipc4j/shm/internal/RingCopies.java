package org.ipc4j.shm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies of message bytes between caller buffers and a ring's data area (the mapping {@code view}, addressed
 * by region index). Short messages are copied in 8-byte words: the ByteBuffer bulk copy costs more in checks
 * and its native copy call than such a message takes to copy. JDK access only (VarHandles over the buffers),
 * every access bounds-checked against the buffers.
 */
final class RingCopies {
    /** Messages up to this size are copied word by word. */
    private static final int SMALL_COPY = 256;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ARRAY_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RingCopies() {
    }

    /**
     * Copies {@code length} bytes from {@code src} at its position to region index {@code payloadOffset} (a
     * claimed payload in the mapping {@code view}); the position does not move.
     */
    static void copyIn(ByteBuffer view, int maxMessage, long payloadOffset, ByteBuffer src, int length) {
        int position = src.position();
        // capacity is final: bounds a position or limit another thread may change under us
        if (length < 0 || length > src.capacity() - position || length > maxMessage) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        int to = (int) payloadOffset;
        if (length > SMALL_COPY) {
            view.put(to, src, position, length);
        } else if (src.hasArray()) {
            byte[] array = src.array();
            int from = src.arrayOffset() + position;
            int at = 0;
            for (; at <= length - 8; at += 8) {
                LONG.set(view, to + at, (long) ARRAY_LONG.get(array, from + at));
            }
            for (; at < length; at++) {
                view.put(to + at, array[from + at]);
            }
        } else {
            int at = 0;
            for (; at <= length - 8; at += 8) {
                LONG.set(view, to + at, (long) LONG.get(src, position + at));
            }
            for (; at < length; at++) {
                view.put(to + at, src.get(position + at));
            }
        }
    }

    /** Copies a message at region index {@code from} of the mapping into {@code dst} at {@code position}. */
    static void copyOut(ByteBuffer view, int from, ByteBuffer dst, int position, int length) {
        // capacity is final: bounds a position another thread may change under us
        if (position < 0 || length > dst.capacity() - position) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        if (length > SMALL_COPY || dst.isReadOnly()) {
            dst.put(position, view, from, length);
        } else if (dst.hasArray()) {
            // a byte[] receive's buffer: straight into the array
            byte[] array = dst.array();
            int to = dst.arrayOffset() + position;
            int at = 0;
            for (; at <= length - 8; at += 8) {
                ARRAY_LONG.set(array, to + at, (long) LONG.get(view, from + at));
            }
            for (; at < length; at++) {
                array[to + at] = view.get(from + at);
            }
        } else {
            int at = 0;
            for (; at <= length - 8; at += 8) {
                LONG.set(dst, position + at, (long) LONG.get(view, from + at));
            }
            for (; at < length; at++) {
                dst.put(position + at, view.get(from + at));
            }
        }
    }
}
