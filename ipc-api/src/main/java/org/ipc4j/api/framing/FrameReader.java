package org.ipc4j.api.framing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.MalformedFrameException;

/**
 * Blocking frame reader over an {@link InputStream}. Reads one frame at a time; a frame that does not fit
 * the caller's buffer is kept and handed out by the next call, so nothing is lost. Not thread-safe.
 */
public final class FrameReader {
    private final InputStream in;
    private final int maxFrame;
    private final String where;
    private final byte[] header = new byte[Framing.HEADER_BYTES];
    private byte[] pending;

    /**
     * A reader of {@code in}, which it does not close (the caller owns the stream).
     *
     * @param in the stream to read frames from
     * @param maxFrame the largest payload accepted; a longer length prefix is a {@link MalformedFrameException}
     * @param where what the stream is, for the messages of the exceptions (e.g. the channel's name)
     * @throws IllegalArgumentException if {@code maxFrame} is negative or above {@link Framing#ABSOLUTE_MAX_FRAME}
     */
    public FrameReader(InputStream in, int maxFrame, String where) {
        this.in = in;
        this.maxFrame = Framing.checkMaxFrame(maxFrame);
        this.where = where;
    }

    /**
     * Reads the next frame, blocking until it is complete.
     *
     * @return the payload, or {@code null} at a clean end of stream (between frames)
     * @throws MalformedFrameException for a bad length prefix or an end of stream inside a frame
     * @throws IOException if the stream fails
     */
    public byte[] readFrame() throws IOException {
        if (pending != null) {
            byte[] frame = pending;
            pending = null;
            return frame;
        }
        int got = readFully(header, 0, header.length);
        if (got == 0) {
            return null;
        }
        if (got < header.length) {
            throw new MalformedFrameException(where + ": stream ended inside a length prefix (" + got + " of 4 bytes)");
        }
        int length = Framing.checkLength(ByteBuffer.wrap(header).getInt(), maxFrame, where);
        byte[] payload = new byte[length];
        int read = readFully(payload, 0, length);
        if (read < length) {
            throw new MalformedFrameException(where + ": stream ended inside a frame (" + read + " of " + length
                    + " payload bytes)");
        }
        return payload;
    }

    /**
     * Reads the next frame into {@code destination}.
     *
     * @return the payload length, or -1 at a clean end of stream
     * @throws BufferTooSmallException if the frame does not fit; it is kept for the next call
     */
    public int read(ByteBuffer destination) throws IOException {
        byte[] frame = readFrame();
        if (frame == null) {
            return -1;
        }
        if (frame.length > destination.remaining()) {
            pending = frame;
            throw new BufferTooSmallException(frame.length, destination.remaining());
        }
        destination.put(frame);
        return frame.length;
    }

    /** Whether a frame that did not fit is waiting for the next call. */
    public boolean hasPending() {
        return pending != null;
    }

    private int readFully(byte[] buffer, int offset, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = in.read(buffer, offset + total, length - total);
            if (n < 0) {
                return total;
            }
            total += n;
        }
        return total;
    }
}
