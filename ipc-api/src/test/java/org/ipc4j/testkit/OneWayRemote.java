package org.ipc4j.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Endpoint;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;

/**
 * How {@link OneWayContract}'s cross-process tests open a one-way channel with one end in a child JVM: an
 * {@link Opener} class (public, with a public no-argument constructor, on the test class path) opens either
 * end from an address string, here and in the child ({@link OneWayPeerTestApp}).
 */
public final class OneWayRemote {

    /** Opens the ends of a one-way channel from an address; used in this JVM and in the child. */
    public interface Opener {
        /** Opens the sending end at {@code address}; may wait for the receiving end to open. */
        Sender openSender(String address) throws Exception;

        /** Opens the receiving end at {@code address}; may wait for the sending end to open. */
        Receiver openReceiver(String address) throws Exception;
    }

    private final Class<? extends Opener> opener;
    private final String address;
    private final boolean senderSeesReceiverDeath;

    private OneWayRemote(Class<? extends Opener> opener, String address, boolean senderSeesReceiverDeath) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.address = Objects.requireNonNull(address, "address");
        this.senderSeesReceiverDeath = senderSeesReceiverDeath;
    }

    /** Ends opened by {@code opener} at {@code address}; a sender there learns that its receiver died. */
    public static OneWayRemote of(Class<? extends Opener> opener, String address) {
        return new OneWayRemote(opener, address, true);
    }

    /** The same, saying whether a sender learns that the receiving process died (a queue outlives its readers). */
    public OneWayRemote senderSeesReceiverDeath(boolean sees) {
        return new OneWayRemote(opener, address, sees);
    }

    boolean senderSeesReceiverDeath() {
        return senderSeesReceiverDeath;
    }

    /** The local end, the child, and clean-up of both. */
    public record Session(Sender sender, Receiver receiver, ChildJvm child) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            ChannelPair.closeQuietly(sender);
            ChannelPair.closeQuietly(receiver);
            child.close();
        }
    }

    /** A child that sends {@code count} numbered messages and exits; this JVM receives. */
    Session childSends(int count, Duration patience) throws Exception {
        return start(false, "send", count, patience);
    }

    /** A child that receives {@code count} numbered messages (-1: until killed) and exits; this JVM sends. */
    Session childReceives(int count, Duration patience) throws Exception {
        return start(true, "receive", count, patience);
    }

    private Session start(boolean localSends, String childRole, int count, Duration patience) throws Exception {
        java.lang.reflect.Constructor<? extends Opener> made = opener.getDeclaredConstructor();
        made.setAccessible(true);
        Opener local = made.newInstance();
        CompletableFuture<Endpoint> end = CompletableFuture.supplyAsync(() -> {
            try {
                return localSends ? local.openSender(address) : local.openReceiver(address);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        ChildJvm child = ChildJvm.start(OneWayPeerTestApp.class, opener.getName(), address, childRole,
                String.valueOf(count));
        try {
            Endpoint opened = end.get(patience.toMillis(), TimeUnit.MILLISECONDS);
            child.awaitOutput(OneWayPeerTestApp.READY, patience);
            return localSends ? new Session((Sender) opened, null, child) : new Session(null, (Receiver) opened, child);
        } catch (Exception | AssertionError e) {
            end.thenAccept(ChannelPair::closeQuietly);
            child.close();
            throw new AssertionError("could not open " + address + " with the other end in a child JVM"
                    + "\n--- child output ---\n" + child.output(), e);
        }
    }

    @Override
    public String toString() {
        return "OneWayRemote[" + opener.getSimpleName() + " " + address + "]";
    }
}
