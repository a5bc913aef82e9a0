package org.ipc4j.testkit;

import java.util.Objects;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;

/**
 * The two connected ends of one one-way channel, both in this process: what {@code sender} sends,
 * {@code receiver} receives. Closing the pair closes both ends (the receiver first), ignoring failures,
 * then runs {@code cleanup} if there is one (a child process to stop, say).
 */
public record OneWayPair(Sender sender, Receiver receiver, AutoCloseable cleanup) implements AutoCloseable {
    public OneWayPair {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(receiver, "receiver");
    }

    /** A pair with nothing to clean up beyond its ends. */
    public OneWayPair(Sender sender, Receiver receiver) {
        this(sender, receiver, null);
    }

    @Override
    public void close() {
        ChannelPair.closeQuietly(receiver);
        ChannelPair.closeQuietly(sender);
        ChannelPair.closeQuietly(cleanup);
    }
}
