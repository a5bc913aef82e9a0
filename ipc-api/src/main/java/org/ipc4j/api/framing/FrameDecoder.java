package org.ipc4j.api.framing;

import java.nio.ByteBuffer;
import org.ipc4j.api.MalformedFrameException;

/**
 * Incremental decoder for non-blocking streams: feed it whatever bytes arrived, take out whole frames.
 * Not thread-safe; one decoder per stream.
 *
 * <p>Memory grows with the bytes that actually arrive, not with the announced length: a peer that
 * announces a 1 MiB frame and sends 10 bytes costs about 10 bytes (plus a small initial buffer), so many
 * slow or hostile peers cannot exhaust the heap.
 *
 * <pre>{@code
 * ByteBuffer frame;
 * while ((frame = decoder.next(incoming)) != null) {
 *     handle(frame);   // valid until the next call
 * }
 * }</pre>
 */
public final class FrameDecoder {
    private static final int INITIAL_PAYLOAD_CAPACITY = 4096;

    private final int maxFrame;
    private final String where;
    private final ByteBuffer header = ByteBuffer.allocate(Framing.HEADER_BYTES);
    private ByteBuffer payload = ByteBuffer.allocate(0);
    private int expected = -1;

    /**
     * @param maxFrame the largest payload accepted
     * @param where names the stream in error messages, e.g. {@code "tcp client 127.0.0.1:51234"}
     */
    public FrameDecoder(int maxFrame, String where) {
        this.maxFrame = Framing.checkMaxFrame(maxFrame);
        this.where = where;
    }

    /**
     * Consumes bytes from {@code in} until one frame is complete or {@code in} is empty.
     *
     * @return the payload of the completed frame (position 0, limit its length), valid until the next call;
     *         or {@code null} when more bytes are needed
     * @throws MalformedFrameException if a length prefix is negative or over the maximum
     */
    public ByteBuffer next(ByteBuffer in) throws MalformedFrameException {
        if (expected < 0) {
            while (header.hasRemaining() && in.hasRemaining()) {
                header.put(in.get());
            }
            if (header.hasRemaining()) {
                return null;
            }
            expected = Framing.checkLength(header.getInt(0), maxFrame, where);
            payload.clear();
            if (payload.capacity() < Math.min(expected, INITIAL_PAYLOAD_CAPACITY)) {
                payload = ByteBuffer.allocate(Math.min(expected, INITIAL_PAYLOAD_CAPACITY));
            }
        }
        while (payload.position() < expected && in.hasRemaining()) {
            if (!payload.hasRemaining()) {
                grow();
            }
            int n = Math.min(Math.min(payload.remaining(), in.remaining()), expected - payload.position());
            ByteBuffer slice = in.duplicate();
            slice.limit(slice.position() + n);
            payload.put(slice);
            in.position(in.position() + n);
        }
        if (payload.position() < expected) {
            return null;
        }
        expected = -1;
        header.clear();
        payload.flip();
        return payload;
    }

    private void grow() {
        int capacity = (int) Math.min((long) expected, Math.max(INITIAL_PAYLOAD_CAPACITY, payload.capacity() * 2L));
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        payload.flip();
        bigger.put(payload);
        payload = bigger;
    }

    /** Whether the stream stopped inside a frame: true between the first header byte and the last payload byte. */
    public boolean inFrame() {
        return expected >= 0 || header.position() > 0;
    }

    /** Bytes held for the frame in progress. */
    public int bufferedBytes() {
        return header.position() + (expected >= 0 ? payload.position() : 0);
    }
}
