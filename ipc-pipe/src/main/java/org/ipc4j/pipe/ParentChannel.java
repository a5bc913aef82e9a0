package org.ipc4j.pipe;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;
import org.ipc4j.api.Channel;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.framing.Framing;
import org.ipc4j.pipe.internal.ChildPipes;
import org.ipc4j.pipe.internal.FdReceiveEnd;
import org.ipc4j.pipe.internal.FdSendEnd;
import org.ipc4j.pipe.internal.Handshake;
import org.ipc4j.pipe.internal.PipeChannel;
import org.ipc4j.pipe.internal.StreamReceiveEnd;
import org.ipc4j.pipe.internal.StreamSendEnd;

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
 * output and standard input for the frames. Where they are pipes on a POSIX system (always, for a child of
 * {@link ChildProcess}), it moves the pipes to descriptors of its own and points descriptor 1 at standard
 * error and descriptor 0 at {@code /dev/null}; it also points {@link System#out} at standard error and
 * {@link System#in} at an empty stream. Nothing else in the process can then write into the message stream:
 * a stray {@code System.out.println}, a {@code PrintStream} saved from {@code System.out} before
 * {@code open()}, and native code writing to descriptor 1 all land on standard error, which the parent logs.
 * (Elsewhere only {@code System.out} is redirected.) Output written <em>before</em> {@code open()} is
 * harmless: the parent skips everything up to a marker that {@code open()} writes, and logs it.
 *
 * <p>The channel behaves like every other ipc4j channel: {@code receive} blocks until a message arrives
 * and throws {@link org.ipc4j.api.PeerGoneException} once the parent has closed its end (or died), and a
 * send then throws it too; the calling thread reads and writes the pipes itself ({@code poll(2)}, no helper
 * thread). {@code close()} closes both pipes: the parent receives everything sent, then sees the end of the
 * conversation. The maximum message size is the one the parent chose.
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
        try {
            out.write(Handshake.marker());
            out.flush();
        } catch (IOException e) {
            throw new org.ipc4j.api.PeerGoneException("cannot write to the parent (standard output): " + e, e);
        }
        String name = "pipe to parent process";
        Supplier<String> gone = () -> name + ": the parent closed its end (or exited)";
        int[] fds = ChildPipes.takeOverStandardStreams();
        if (fds != null) {
            channel = new PipeChannel(name, new FdSendEnd(name, fds[1], max, gone),
                    new FdReceiveEnd(name, fds[0], max, gone, null, null));
        } else {
            channel = new PipeChannel(name, new StreamSendEnd(name, out, max, StreamChannels.QUEUE_BYTES),
                    new StreamReceiveEnd(name, new FileInputStream(FileDescriptor.in), max, StreamChannels.QUEUE_BYTES, gone, null));
        }
        System.setOut(System.err);
        System.setIn(InputStream.nullInputStream());
        return channel;
    }
}
