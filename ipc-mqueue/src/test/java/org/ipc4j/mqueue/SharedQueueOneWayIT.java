package org.ipc4j.mqueue;

import org.ipc4j.api.Ipc;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;
import org.ipc4j.testkit.OneWayRemote;

/**
 * The one-way contract over the single queue of an {@code mq:NAME?shared=true} address, each end opened by
 * address: both in this JVM, and with the other end in a child JVM. As in {@link MessageQueueOneWayTest},
 * a queue has no peer to lose: the sender never learns of the receiver's death, and need not (the messages
 * stay queued for the next receiver).
 */
class SharedQueueOneWayIT extends OneWayContract {

    /** Opens either end of the shared queue by its address, here and in the child. */
    public static final class Opener implements OneWayRemote.Opener {
        @Override
        public Sender openSender(String address) throws Exception {
            return Ipc.open(address);
        }

        @Override
        public Receiver openReceiver(String address) throws Exception {
            return Ipc.open(address);
        }
    }

    private String address() {
        return "mq:" + Queues.name(names, "shared") + "?shared=true&depth=" + MessageQueueOneWayTest.DEPTH
                + "&maxmsg=" + MessageQueueOneWayTest.MAXMSG;
    }

    @Override
    protected OneWayPair openPair() throws Exception {
        String address = address();
        return new OneWayPair(Ipc.open(address), Ipc.open(address));
    }

    @Override
    protected OneWayRemote remote() {
        return OneWayRemote.of(Opener.class, address()).senderSeesReceiverDeath(false);
    }

    @Override
    protected int capacity() {
        return MessageQueueOneWayTest.DEPTH;
    }

    @Override
    protected boolean reportsSenderClose() {
        return false;
    }
}
