package org.ipc4j.testkit;

import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.api.internal.DuplexChannel;

/**
 * The reference channel: two bounded in-memory one-way queues ({@link InMemoryOneWay}), one per direction,
 * composed like every transport's channel by ipc-api's {@link DuplexChannel}. It exists to define the
 * contract's semantics in the plainest code and to prove that {@link ChannelContract} passes a correct
 * channel; it is not an IPC mechanism. Closing one end is, for the other, the peer's close and death.
 */
public final class InMemoryChannel extends DuplexChannel<Sender, Receiver> {
    private final String name;

    private InMemoryChannel(Sender out, Receiver in, String name) {
        super(out, in);
        this.name = name;
    }

    /** Two connected ends holding at most {@code capacity} messages per direction. */
    public static ChannelPair pair(int capacity, int maxMessageSize) {
        OneWayPair ab = InMemoryOneWay.pair(capacity, maxMessageSize, "in-memory channel a to b");
        OneWayPair ba = InMemoryOneWay.pair(capacity, maxMessageSize, "in-memory channel b to a");
        return new ChannelPair(new InMemoryChannel(ab.sender(), ba.receiver(), "in-memory channel end a"),
                new InMemoryChannel(ba.sender(), ab.receiver(), "in-memory channel end b"));
    }

    @Override
    public String toString() {
        return name + (isOpen() ? "" : " (closed)");
    }
}
