package org.ipc4j.pipe;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.pipe.internal.Handshake;
import org.ipc4j.pipe.internal.StreamChannel;

/**
 * The child's side of a {@link ChildProcess} started with {@link ChildProcess#startJava}: one line gives the
 * channel to the parent.
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *     try (Channel parent = ParentChannel.open()) {
 *         parent.send("hello".getBytes(StandardCharsets.UTF_8));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Standard output belongs to the channel.</b> {@code open()} takes over the process's real standard
 * output ({@link FileDescriptor#out}) and standard input ({@link FileDescriptor#in}) for the frames, and
 * then points {@link System#out} at standard error and {@link System#in} at an empty stream. A stray
 * {@code System.out.println} therefore lands in the parent's log, never in the message stream. What the
 * redirect cannot catch: a {@code PrintStream} someone saved from {@code System.out} before {@code open()}
 * and native code writing to file descriptor 1. Output written <em>before</em> {@code open()} is harmless:
 * the parent skips everything up to a marker that {@code open()} writes, and logs it.
 *
 * <p>The channel behaves like every other ipc4j channel: {@code receive} blocks until a message arrives
 * and throws {@link org.ipc4j.api.PeerGoneException} once the parent has closed its end (or died);
 * {@code close()} flushes what was sent and closes standard output, which the parent sees as the end of
 * the conversation. The maximum message size is the one the parent chose.
 */
public final class ParentChannel {
    /** System property through which the parent passes the maximum message size. */
    public static final String MAX_MESSAGE_SIZE_PROPERTY = "ipc4j.pipe.maxMessageSize";

    private static Channel channel;

    private ParentChannel() {
    }

    /**
     * Opens the channel to the parent on this process's standard input and output. Calling it again returns
     * the same channel. The caller owns it; closing it ends the conversation.
     *
     * @throws IpcException if standard output cannot be written (the parent is gone)
     */
    public static synchronized Channel open() throws IpcException {
        if (channel != null) {
            return channel;
        }
        int max = Integer.getInteger(MAX_MESSAGE_SIZE_PROPERTY, Framing.DEFAULT_MAX_FRAME);
        System.out.flush();
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        FileInputStream in = new FileInputStream(FileDescriptor.in);
        PrintStream previousOut = System.out;
        System.setOut(System.err);
        System.setIn(InputStream.nullInputStream());
        try {
            out.write(Handshake.marker());
            out.flush();
        } catch (IOException e) {
            System.setOut(previousOut);
            throw new org.ipc4j.api.PeerGoneException("cannot write to the parent (standard output): " + e, e);
        }
        channel = new StreamChannel("pipe to parent process", in, out, max, StreamChannel.DEFAULT_SEND_QUEUE_BYTES,
                StreamChannel.DEFAULT_RECEIVE_QUEUE_BYTES, () -> "pipe to parent process: the parent closed its end"
                + " (or exited)", null, null);
        return channel;
    }
}
