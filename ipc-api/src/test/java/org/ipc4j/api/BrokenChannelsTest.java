package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.ipc4j.testkit.ChannelContract;
import org.ipc4j.testkit.ChannelPair;
import org.ipc4j.testkit.InMemoryChannel;
import org.ipc4j.testkit.InMemoryOneWay;
import org.ipc4j.testkit.OneWayContract;
import org.ipc4j.testkit.OneWayPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * The contracts have teeth: a channel that drops, reorders or truncates messages, or that does not wake a
 * blocked receiver or sender on close, fails {@link ChannelContract}; one-way ends that drop a message, sleep
 * through a close, lose a message sent after the receiver's death, move the position on a timeout or lose a
 * message that did not fit fail {@link OneWayContract}. The reference channel and ends pass when run the
 * same way.
 */
class BrokenChannelsTest {

    @ParameterizedTest
    @ValueSource(classes = {Dropping.class, Reordering.class, Truncating.class, Deaf.class})
    void aBrokenChannelFailsTheContract(Class<?> kit) {
        TestExecutionSummary summary = run(kit);
        assertThat(summary.getTestsFoundCount()).as("contract tests found").isGreaterThan(10);
        assertThat(summary.getTotalFailureCount()).as("failures of %s", kit.getSimpleName()).isPositive();
    }

    /** Each sender-side defect is caught by the case written for it, not by chance elsewhere. */
    @ParameterizedTest
    @CsvSource({
        "DeafSender, closeWakesABlockedSender",
        "DroppingEnds, messagesArriveInOrderWithTheirBoundaries",
        "SenderDeafToClose, closeWakesABlockedSender",
        "SilentAfterDeath, sendAfterTheReceiversDeathThrows",
        "PositionMovedOnTimeout, fullPairRefusesTrySendAndTimesOutTimedSendWithThePositionUnchanged",
        "LosesWhatDidNotFit, tooSmallDestinationThrowsAndTheMessageStaysForEveryForm"})
    void theCaseForTheDefectFails(String kit, String test) throws Exception {
        TestExecutionSummary summary = run(Class.forName(BrokenChannelsTest.class.getName() + "$" + kit));
        assertThat(summary.getTestsFoundCount()).as("contract tests found").isGreaterThan(10);
        assertThat(summary.getFailures()).as("failures of %s", kit)
                .anySatisfy(f -> assertThat(f.getTestIdentifier().getDisplayName()).startsWith(test + "("));
    }

    @Test
    void theReferenceOneWayEndsPassWhenRunTheSameWay() {
        assertPasses(OneWayReference.class);
    }

    @Test
    void theReferenceChannelPassesWhenRunTheSameWay() {
        assertPasses(Reference.class);
    }

    private static void assertPasses(Class<?> kit) {
        TestExecutionSummary summary = run(kit);
        String failures = summary.getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
                .collect(Collectors.joining("\n"));
        assertThat(summary.getTotalFailureCount()).as(failures).isZero();
        assertThat(summary.getTestsSucceededCount()).isGreaterThan(10);
    }

    private static TestExecutionSummary run(Class<?> kit) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build(), listener);
        return listener.getSummary();
    }

    /** The one-way contract over some pair of ends, run only through the launcher above. */
    abstract static class OneWayKit extends OneWayContract {
        @Override
        protected int messageCount() {
            return 300;
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(2);
        }

        @Override
        protected OneWayPair openPair() {
            OneWayPair p = InMemoryOneWay.pair(16, 64 * 1024);
            return new OneWayPair(sender(p.sender()), receiver(p.receiver()));
        }

        Sender sender(Sender inner) {
            return inner;
        }

        Receiver receiver(Receiver inner) {
            return inner;
        }

        @Override
        protected boolean killReceiver(OneWayPair pair) throws Exception {
            pair.receiver().close();
            return true;
        }
    }

    static final class OneWayReference extends OneWayKit {
        @Override
        Sender sender(Sender inner) {
            return new FaultySender(inner); // the wrapper itself breaks nothing
        }

        @Override
        Receiver receiver(Receiver inner) {
            return new FaultyReceiver(inner);
        }
    }

    /** Loses every 50th message. */
    static final class DroppingEnds extends OneWayKit {
        @Override
        Sender sender(Sender inner) {
            return new FaultySender(inner) {
                int count;

                @Override
                public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
                    if (++count % 50 == 0) {
                        message.position(message.limit());
                        return;
                    }
                    inner.send(message);
                }
            };
        }
    }

    /** A blocked send polls on through a close of its end. */
    static final class SenderDeafToClose extends OneWayKit {
        @Override
        Sender sender(Sender inner) {
            return new FaultySender(inner) {
                @Override
                public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
                    deafSend(inner, message);
                }
            };
        }
    }

    /** A send after the receiver is gone returns normally: the message is silently lost. */
    static final class SilentAfterDeath extends OneWayKit {
        @Override
        Sender sender(Sender inner) {
            return new FaultySender(inner) {
                @Override
                public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
                    try {
                        return inner.send(message, timeout);
                    } catch (PeerGoneException e) {
                        message.position(message.limit());
                        return true;
                    }
                }
            };
        }
    }

    /** A timed send that times out still moves the source's position. */
    static final class PositionMovedOnTimeout extends OneWayKit {
        @Override
        Sender sender(Sender inner) {
            return new FaultySender(inner) {
                @Override
                public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
                    boolean sent = inner.send(message, timeout);
                    message.position(message.limit());
                    return sent;
                }
            };
        }
    }

    /** A message too large for the destination is taken off the queue before the exception. */
    static final class LosesWhatDidNotFit extends OneWayKit {
        @Override
        Receiver receiver(Receiver inner) {
            return new FaultyReceiver(inner) {
                private int taken(ByteBuffer destination, int length, ByteBuffer all) throws BufferTooSmallException {
                    Objects.requireNonNull(destination, "destination");
                    if (length == NO_MESSAGE) {
                        return length;
                    }
                    if (length > destination.remaining()) {
                        throw new BufferTooSmallException(length, destination.remaining());
                    }
                    destination.put(all.flip());
                    return length;
                }

                @Override
                public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
                    Objects.requireNonNull(destination, "destination");
                    ByteBuffer all = ByteBuffer.allocate(inner.maxMessageSize());
                    return taken(destination, inner.receive(all), all);
                }

                @Override
                public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
                    Objects.requireNonNull(destination, "destination");
                    ByteBuffer all = ByteBuffer.allocate(inner.maxMessageSize());
                    return taken(destination, inner.receive(all, timeout), all);
                }

                @Override
                public int tryReceive(ByteBuffer destination) throws IpcException {
                    Objects.requireNonNull(destination, "destination");
                    ByteBuffer all = ByteBuffer.allocate(inner.maxMessageSize());
                    return taken(destination, inner.tryReceive(all), all);
                }
            };
        }
    }

    /** A send that polls {@code trySend} and treats the end's close as "no room yet", for up to 6 seconds. */
    static void deafSend(Sender inner, ByteBuffer message) throws IpcException, InterruptedIOException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < giveUp) {
            try {
                if (inner.trySend(message)) {
                    return;
                }
            } catch (EndpointClosedException ignored) {
                // the defect: keep waiting after close
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
    }

    /** Delegates every form of a sender; subclasses override what they break. */
    static class FaultySender implements Sender {
        final Sender inner;

        FaultySender(Sender inner) {
            this.inner = inner;
        }

        @Override
        public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
            inner.send(message);
        }

        @Override
        public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
            return inner.send(message, timeout);
        }

        @Override
        public boolean trySend(ByteBuffer message) throws IpcException {
            return inner.trySend(message);
        }

        @Override
        public int maxMessageSize() {
            return inner.maxMessageSize();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IpcException {
            inner.close();
        }
    }

    /** Delegates every form of a receiver; subclasses override what they break. */
    static class FaultyReceiver implements Receiver {
        final Receiver inner;

        FaultyReceiver(Receiver inner) {
            this.inner = inner;
        }

        @Override
        public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
            return inner.receive(destination);
        }

        @Override
        public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
            return inner.receive(destination, timeout);
        }

        @Override
        public int tryReceive(ByteBuffer destination) throws IpcException {
            return inner.tryReceive(destination);
        }

        @Override
        public byte[] receive() throws IpcException, InterruptedIOException {
            return inner.receive();
        }

        @Override
        public byte[] receive(Duration timeout) throws IpcException, InterruptedIOException {
            return inner.receive(timeout);
        }

        @Override
        public int maxMessageSize() {
            return inner.maxMessageSize();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IpcException {
            inner.close();
        }
    }

    /** The contract over some channel pair, run only through the launcher above. */
    abstract static class Kit extends ChannelContract {
        @Override
        protected Addresses remoteAddresses() {
            return null;
        }

        @Override
        protected int messageCount() {
            return 300;
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(1);
        }
    }

    static final class Reference extends Kit {
        @Override
        protected ChannelPair openPair() {
            return InMemoryChannel.pair(64, 64 * 1024);
        }
    }

    /** Loses every 50th message. */
    static final class Dropping extends Kit {
        @Override
        protected ChannelPair openPair() {
            ChannelPair p = InMemoryChannel.pair(64, 64 * 1024);
            return new ChannelPair(new Faulty(p.a()) {
                int count;

                @Override
                List<ByteBuffer> transform(ByteBuffer message) {
                    return ++count % 50 == 0 ? List.of() : List.of(message);
                }
            }, p.b());
        }
    }

    /** Swaps every second message with the one before it. */
    static final class Reordering extends Kit {
        @Override
        protected ChannelPair openPair() {
            ChannelPair p = InMemoryChannel.pair(64, 64 * 1024);
            return new ChannelPair(new Faulty(p.a()) {
                ByteBuffer held;

                @Override
                List<ByteBuffer> transform(ByteBuffer message) {
                    if (held == null) {
                        held = message;
                        return List.of();
                    }
                    List<ByteBuffer> out = List.of(message, held);
                    held = null;
                    return out;
                }
            }, p.b());
        }
    }

    /** Drops the last byte of every message longer than one byte. */
    static final class Truncating extends Kit {
        @Override
        protected ChannelPair openPair() {
            ChannelPair p = InMemoryChannel.pair(64, 64 * 1024);
            return new ChannelPair(new Faulty(p.a()) {
                @Override
                List<ByteBuffer> transform(ByteBuffer message) {
                    if (message.remaining() > 1) {
                        message.limit(message.limit() - 1);
                    }
                    return List.of(message);
                }
            }, p.b());
        }
    }

    /** Its receive does not notice close: a blocked receiver sleeps on. */
    static final class Deaf extends Kit {
        @Override
        protected ChannelPair openPair() {
            ChannelPair p = InMemoryChannel.pair(64, 64 * 1024);
            return new ChannelPair(p.a(), new Faulty(p.b()) {
                @Override
                public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
                    long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (System.nanoTime() < giveUp) {
                        try {
                            int n = inner.tryReceive(destination);
                            if (n != NO_MESSAGE) {
                                return n;
                            }
                        } catch (EndpointClosedException ignored) {
                            // the defect: keep waiting after close
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException();
                        }
                    }
                    return NO_MESSAGE;
                }

                @Override
                public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
                    return inner.receive(destination, timeout);
                }
            });
        }
    }

    /** A blocked send on a full channel does not notice the close of its end. */
    static final class DeafSender extends Kit {
        @Override
        protected ChannelPair openPair() {
            ChannelPair p = InMemoryChannel.pair(64, 64 * 1024);
            return new ChannelPair(new Faulty(p.a()) {
                @Override
                public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
                    deafSend(inner, message);
                }
            }, p.b());
        }
    }

    /** Delegates everything; subclasses override what they break. */
    abstract static class Faulty implements Channel {
        final Channel inner;

        Faulty(Channel inner) {
            this.inner = inner;
        }

        /** What actually goes out for one message (each a private copy). */
        List<ByteBuffer> transform(ByteBuffer message) {
            return List.of(message);
        }

        private List<ByteBuffer> outgoing(ByteBuffer message) {
            Objects.requireNonNull(message, "message");
            if (message.remaining() > inner.maxMessageSize()) {
                return List.of(message.duplicate());
            }
            ByteBuffer copy = ByteBuffer.allocate(message.remaining()).put(message.duplicate()).flip();
            return transform(copy);
        }

        @Override
        public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
            for (ByteBuffer m : outgoing(message)) {
                inner.send(m);
            }
            message.position(message.limit());
        }

        @Override
        public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
            for (ByteBuffer m : outgoing(message)) {
                if (!inner.send(m, timeout)) {
                    return false;
                }
            }
            message.position(message.limit());
            return true;
        }

        @Override
        public boolean trySend(ByteBuffer message) throws IpcException {
            for (ByteBuffer m : outgoing(message)) {
                if (!inner.trySend(m)) {
                    return false;
                }
            }
            message.position(message.limit());
            return true;
        }
        @Override
        public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
            return inner.receive(destination);
        }

        @Override
        public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
            return inner.receive(destination, timeout);
        }

        @Override
        public int tryReceive(ByteBuffer destination) throws IpcException {
            return inner.tryReceive(destination);
        }

        @Override
        public int maxMessageSize() {
            return inner.maxMessageSize();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IpcException {
            inner.close();
        }
    }
}
