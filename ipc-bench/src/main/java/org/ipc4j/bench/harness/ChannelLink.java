package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;
import org.ipc4j.api.Channel;

/** A {@link Link} over any ipc4j {@link Channel}: the path every URI-addressed mechanism takes. */
public final class ChannelLink implements Link {
    private final Channel channel;
    private final AutoCloseable extra;

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
