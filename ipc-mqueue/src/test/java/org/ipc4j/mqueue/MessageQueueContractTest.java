package org.ipc4j.mqueue;

import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;

/**
 * The channel contract on a single queue opened twice in this JVM: a queue is one shared FIFO, so what
 * either handle sends the other receives in order. Peer close is not observable on a message queue.
 * The cross-process run is {@link MessageQueueChannelIT}.
 */
class MessageQueueContractTest extends ChannelContract {

    @Override
    protected ChannelPair openPair() throws Exception {
        String name = Queues.name(names, "pair");
        MessageQueue a = MessageQueue.create(name, 10, 8192);
        return new ChannelPair(a, MessageQueue.open(name));
    }

    @Override
    protected Addresses remoteAddresses() {
        return null; // one shared FIFO echoes to itself: the two-process contract runs on MessageQueueChannel
    }

    @Override
    protected boolean reportsPeerClose() {
        return false;
    }

    @Override
    protected boolean reportsPeerDeath() {
        return false;
    }
}
