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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

/**
 * The contract has teeth: a channel that drops, reorders or truncates messages, or that does not wake a
 * blocked receiver on close, fails it; the reference channel passes it when run the same way.
 */
class BrokenChannelsTest {

    @ParameterizedTest
    @ValueSource(classes = {Dropping.class, Reordering.class, Truncating.class, Deaf.class})
    void aBrokenChannelFailsTheContract(Class<?> kit) {
        TestExecutionSummary summary = run(kit);
        assertThat(summary.getTestsFoundCount()).as("contract tests found").isGreaterThan(10);
        assertThat(summary.getTotalFailureCount()).as("failures of %s", kit.getSimpleName()).isPositive();
    }

    @Test
    void theReferenceChannelPassesWhenRunTheSameWay() {
        TestExecutionSummary summary = run(Reference.class);
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
