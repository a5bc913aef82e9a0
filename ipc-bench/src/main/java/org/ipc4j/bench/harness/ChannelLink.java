package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;
import org.ipc4j.api.Channel;

/** A {@link Link} over any ipc4j {@link Channel}: the path every URI-addressed mechanism takes. */
public class ChannelLink implements Link {
    private final Channel channel;
    private final AutoCloseable extra;

    /**
     * A link that receives the way the README does, {@code byte[] receive()}, and sends arrays: the form
     * whose cost must stay that of the ByteBuffer form (each receive allocates the message's own size).
     */
    public static Link byteArrays(Channel channel) {
        return new ChannelLink(channel, null) {
            private byte[] outgoing = new byte[0];

            @Override
            public void send(ByteBuffer message) throws Exception {
                // the driver's buffers are direct: the array a caller of this form already holds
                int length = message.remaining();
                if (outgoing.length < length) {
                    outgoing = new byte[length];
                }
                message.get(outgoing, 0, length);
                channel.send(outgoing, 0, length);
            }

            @Override
            public int receive(ByteBuffer destination) throws Exception {
                byte[] message = channel.receive();
                // the driver checks the echo's sequence number in its buffer: one copy a caller would not make
                destination.put(message);
                return message.length;
            }
        };
    }

    /** Wraps {@code channel}; {@code extra} (may be null) is closed after it, e.g. a child-process handle. */
    public ChannelLink(Channel channel, AutoCloseable extra) {
        this.channel = channel;
        this.extra = extra;
    }

    @Override
    public void send(ByteBuffer message) throws Exception {
        channel.send(message);
    }

    @Override
    public int receive(ByteBuffer destination) throws Exception {
        return channel.receive(destination);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (Exception e) {
            // closing is best effort here: the run is over or is being aborted
        }
        if (extra != null) {
            try {
                extra.close();
            } catch (Exception e) {
                // same
            }
        }
    }
}
