package org.ipc4j.api.framing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.ipc4j.api.MessageTooLargeException;

/**
 * Blocking frame writer over an {@link OutputStream}. Header and payload go out in one {@code write} call
 * when they fit {@code bufferSize}, which makes frames up to {@code PIPE_BUF} bytes atomic on a pipe or FIFO
 * shared by several writers. Not thread-safe: serialise writers.
 */
public final class FrameWriter {
    private final OutputStream out;
    private final int maxFrame;
    private final String where;
    private final byte[] buffer;

    /**
     * @param bufferSize bytes of header plus payload written in a single call; larger frames are written in
     *                   several calls
     */
    public FrameWriter(OutputStream out, int maxFrame, String where, int bufferSize) {
        this.out = out;
        this.maxFrame = Framing.checkMaxFrame(maxFrame);
        this.where = where;
        this.buffer = new byte[Math.max(Framing.HEADER_BYTES, bufferSize)];
    }

    /**
     * Writes one frame carrying the remaining bytes of {@code message} and flushes. The message position
     * advances to its limit.
     *
     * @throws MessageTooLargeException if the message exceeds the maximum; nothing is written
     */
    public void write(ByteBuffer message) throws IOException {
        Framing.checkOutgoing(message, maxFrame, where);
        int length = message.remaining();
        ByteBuffer b = ByteBuffer.wrap(buffer);
        Framing.putHeader(b, length);
        int first = Math.min(length, buffer.length - Framing.HEADER_BYTES);
        message.get(buffer, Framing.HEADER_BYTES, first);
        out.write(buffer, 0, Framing.HEADER_BYTES + first);
        while (message.hasRemaining()) {
            int n = Math.min(message.remaining(), buffer.length);
            message.get(buffer, 0, n);
            out.write(buffer, 0, n);
        }
        out.flush();
    }
}
