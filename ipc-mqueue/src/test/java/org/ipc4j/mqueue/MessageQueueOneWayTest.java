package org.ipc4j.mqueue;

import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;

/**
 * The one-way contract over one queue opened twice in this JVM: one handle sends, the other receives. The
 * queue holds exactly its depth. A queue outlives its handles and has no notion of a peer: a receiver cannot
 * see the sender's close, and a sender whose receiver is gone keeps queueing for the next one (nothing is
 * lost, so the "send after the receiver's death" case does not apply). The {@code shared=true} address
 * form, across processes, is {@link SharedQueueOneWayIT}.
 */
class MessageQueueOneWayTest extends OneWayContract {
    static final int DEPTH = 10;
    static final int MAXMSG = 8192;

    @Override
    protected OneWayPair openPair() throws Exception {
        String name = Queues.name(names, "oneway");
        MessageQueue sender = MessageQueue.create(name, DEPTH, MAXMSG);
        return new OneWayPair(sender, MessageQueue.open(name));
    }

    @Override
    protected int capacity() {
        return DEPTH;
    }

    @Override
    protected boolean reportsSenderClose() {
        return false;
    }
}
