package org.ipc4j.pipe;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.pipe.internal.PipeChannel;
import org.ipc4j.pipe.internal.StreamReceiveEnd;
import org.ipc4j.pipe.internal.StreamSendEnd;

/**
 * A framed message {@link Channel} over any pair of byte streams, such as the standard streams of a raw
 * {@link ChildProcess} or a pipe you opened yourself. Frames are the ipc4j framing: a 4-byte big-endian
 * length, then the payload.
 *
 * <p>The channel starts a reader thread (pulls frames off {@code in} into a 256 KiB queue) and a writer
 * thread (writes queued messages, 256 KiB queue, to {@code out}). That is what lets {@code receive} and
 * {@code send} take timeouts and wake on {@code close()} or an interrupt, and what keeps {@code trySend}
 * from ever blocking, although the streams themselves block. The channel owns both streams: {@code close()}
 * writes what is queued (for up to 2 seconds) and closes them.
 */
public final class StreamChannels {
    /** Bytes queued each way before senders wait, and before the reader thread stops reading. */
    static final int QUEUE_BYTES = 256 << 10;

    private StreamChannels() {
    }

    /**
     * A channel reading frames from {@code in} and writing frames to {@code out}.
     *
     * @param maxMessageSize the largest message either way; a longer incoming length prefix ends the stream
     *                       with {@link org.ipc4j.api.MalformedFrameException}
     * @param name used in exception messages
     */
    public static Channel open(InputStream in, OutputStream out, int maxMessageSize, String name) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Framing.checkMaxFrame(maxMessageSize);
        Objects.requireNonNull(name, "name");
        return new PipeChannel(name, new StreamSendEnd(name, out, maxMessageSize, QUEUE_BYTES),
                new StreamReceiveEnd(name, in, maxMessageSize, QUEUE_BYTES, () -> name + ": the input stream ended", null));
    }
}
