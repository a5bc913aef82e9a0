package org.ipc4j.api.framing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.api.MessageTooLargeException;

/**
 * The stream framing format, used wherever messages travel over a byte stream (pipes, FIFOs, stream
 * sockets). Each frame is a 4-byte length in network byte order (big-endian, unsigned 31-bit) followed by
 * that many payload bytes. There is no other header: a peer in C or Python writes
 * {@code htonl(len)} and the bytes. The full specification is {@code docs/framing-format.md}.
 *
 * <p>Every reader has a maximum frame size. A length above it, or with the top bit set (which includes the
 * {@linkplain #LARGE_FRAME_ESCAPE large-frame escape} of Python's multiprocessing), is a
 * {@link MalformedFrameException}: the reader never allocates on the word of a length prefix alone.
 */
public final class Framing {
    /** Bytes of the length prefix. */
    public static final int HEADER_BYTES = 4;
    /** The default maximum payload: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;
    /** The largest payload the format can describe and a Java array can hold. */
    public static final int ABSOLUTE_MAX_FRAME = Integer.MAX_VALUE - 16;
    /**
     * The length prefix {@code 0xffffffff} with which Python's {@code multiprocessing.connection} announces a
     * frame of more than {@code 0x7fffffff} bytes (an 8-byte big-endian length and the payload follow). Such a
     * frame is over every maximum, so a reader refuses it like any oversized prefix, with a message that names
     * the escape.
     */
    public static final int LARGE_FRAME_ESCAPE = -1;

    private Framing() {
    }

    /**
     * Checks a configured maximum frame size.
     *
     * @throws IllegalArgumentException if it is negative or above {@link #ABSOLUTE_MAX_FRAME}
     */
    public static int checkMaxFrame(int maxFrame) {
        if (maxFrame < 0 || maxFrame > ABSOLUTE_MAX_FRAME) {
            throw new IllegalArgumentException("maximum frame size must be 0.." + ABSOLUTE_MAX_FRAME + ", got " + maxFrame);
        }
        return maxFrame;
    }

    /**
     * Validates a length prefix read from a peer.
     *
     * @param rawLength the 4 bytes as a signed big-endian int
     * @throws MalformedFrameException if it is negative or larger than {@code maxFrame}
     */
    public static int checkLength(int rawLength, int maxFrame, String where) throws MalformedFrameException {
        if (rawLength == LARGE_FRAME_ESCAPE) {
            throw new MalformedFrameException(where + ": length prefix 0xffffffff is the large-frame escape of"
                    + " Python's multiprocessing (an 8-byte length follows: a message of more than 2 GiB); the maximum"
                    + " frame is " + maxFrame + " bytes (send it in parts of at most that size)");
        }
        if (rawLength < 0) {
            throw new MalformedFrameException(where + ": length prefix 0x" + Integer.toHexString(rawLength)
                    + " has the top bit set; not an ipc4j frame stream");
        }
        if (rawLength > maxFrame) {
            throw new MalformedFrameException(where + ": length prefix announces " + rawLength
                    + " bytes but the maximum frame is " + maxFrame + " bytes");
        }
        return rawLength;
    }

    /**
     * Checks that a message may be sent as one frame.
     *
     * @throws MessageTooLargeException if it is longer than {@code maxFrame}
     */
    public static void checkOutgoing(ByteBuffer message, int maxFrame, String where) throws MessageTooLargeException {
        if (message.remaining() > maxFrame) {
            throw new MessageTooLargeException(where, message.remaining(), maxFrame);
        }
    }

    /** A 4-byte big-endian header for a payload of {@code length} bytes, ready to write. */
    public static ByteBuffer header(int length) {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN).putInt(0, length);
    }

    /** Writes the 4-byte header for {@code length} into {@code target} at its position. */
    public static void putHeader(ByteBuffer target, int length) {
        target.put((byte) (length >>> 24)).put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    }
}
