package org.ipc4j.shm;

import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;
import org.ipc4j.testkit.OneWayRemote;

/**
 * The one-way contract over a ring's two ends, {@link RingProducer} and {@link RingConsumer}: both in this
 * JVM, and with the other end in a child JVM. A ring holds bytes, not a count of messages, so the kit fills
 * it until {@code trySend} refuses.
 *
 * <p>A ring is a named object that outlives its consumers, as a message queue does: what a producer writes
 * while no consumer is attached waits in the ring for the next consumer (a restarted one resumes where the
 * last stopped), so a send that finds room succeeds and loses nothing. The producer learns that the consumer
 * is gone only when it has to wait for room (then {@code PeerGoneException}); the cases of a send after the
 * receiver's death are therefore not run here. The two-party {@code shm:} channel, whose session ends with
 * its ends, does run them (ShmChannelIT).
 */
class ShmRingOneWayIT extends OneWayContract {
    static final long CAPACITY = 64 * 1024;

    static ShmRingConfig config() {
        return ShmRingConfig.defaults().capacity(CAPACITY).maxMessage((int) (CAPACITY / 4));
    }

    /** Opens either end of the ring named by the address, creating the ring if it is not there yet. */
    public static final class Opener implements OneWayRemote.Opener {
        @Override
        public Sender openSender(String address) throws Exception {
            return ShmRing.openProducer(address, config(), OpenOptions.openOrCreate());
        }

        @Override
        public Receiver openReceiver(String address) throws Exception {
            return ShmRing.openConsumer(address, config(), OpenOptions.openOrCreate());
        }
    }

    private String name() {
        String name = names.unique("ring");
        names.onCleanup(() -> ShmRing.unlink(name));
        return name;
    }

    @Override
    protected OneWayPair openPair() throws Exception {
        String name = name();
        RingConsumer consumer = ShmRing.openConsumer(name, config(), OpenOptions.create());
        RingProducer producer = ShmRing.openProducer(name, config(), OpenOptions.open());
        return new OneWayPair(producer, consumer);
    }

    @Override
    protected OneWayRemote remote() {
        return OneWayRemote.of(Opener.class, name()).senderSeesReceiverDeath(false);
    }
}
