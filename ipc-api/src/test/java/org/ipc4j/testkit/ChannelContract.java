package org.ipc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Receiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract every ipc4j {@link Channel} must meet. A transport module extends this class, says how to
 * open a connected pair (and, for inter-process mechanisms, the addresses of the two ends), and inherits
 * the tests: ordering, message boundaries, empty and maximum-size messages, timeouts, the try-forms,
 * a too-small destination, close and interrupt waking a blocked receiver and a blocked sender, the source
 * position unchanged when a send returns false, the peer's close and death (seen by a receiver, and by a
 * sender: a send after the peer's death throws), and bad input.
 *
 * <p>The cross-process tests start {@link EchoTestApp} in a second JVM on {@link #remoteAddresses()}'s
 * remote address and talk to it through the local one.
 *
 * <p>Every test is bounded by a {@link Timeout}: a hang is a failure, never a stuck build.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ChannelContract {

    /** Clean-up of named objects; also fails a test that leaks one. */
    @RegisterExtension
    protected final NamedObjects names = new NamedObjects();

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** The two addresses of a cross-process channel: this JVM opens {@code local}, the child opens {@code remote}. */
    public record Addresses(String local, String remote) {
    }

    /**
     * Opens two connected ends of a fresh channel in this JVM. Register any named object with
     * {@link #names} for clean-up.
     */
    protected abstract ChannelPair openPair() throws Exception;

    /**
     * The addresses for a cross-process test, with fresh names registered with {@link #names}; or
     * {@code null} if the mechanism cannot be opened by address from another process (the cross-process
     * tests are then skipped, and the module must test that otherwise).
     */
    protected abstract Addresses remoteAddresses() throws Exception;

    /** Whether a receiver learns that its peer closed (a datagram socket cannot). */
    protected boolean reportsPeerClose() {
        return true;
    }

    /** Whether a receiver learns that its peer process died (kill -9) within {@link #peerDeathTimeout()}. */
    protected boolean reportsPeerDeath() {
        return reportsPeerClose();
    }

    /** How long detection of a dead peer may take. */
    protected Duration peerDeathTimeout() {
        return Duration.ofSeconds(15);
    }

    /** Whether sends eventually block (or {@code trySend} fails) when the receiver does not read. */
    protected boolean hasBoundedCapacity() {
        return true;
    }

    /**
     * Makes {@code pair.b()} die as its peer {@code pair.a()} sees it (kill its process, or close it where
     * close and death are the same to the peer) and returns once it is gone; or returns {@code false} (the
     * default) if the transport cannot tell a sender that its peer is gone, and the test is skipped. After
     * {@code true} the next send on {@code a} must throw, never return normally with the message lost. The
     * cross-process form of this rule ({@link #sendAfterTheKilledPeerWasReportedThrows()}) needs no hook.
     */
    protected boolean killPeer(ChannelPair pair) throws Exception {
        return false;
    }

    /** Whether a sender learns that its peer process died (kill -9): by default, if a receiver does. */
    protected boolean reportsPeerDeathToSender() {
        return reportsPeerDeath();
    }

    /** How many messages of {@link #fillMessageSize(Channel)} bytes fill one direction, if fixed; else -1. */
    protected int capacity() {
        return -1;
    }

    /** The size of the messages that fill a direction in the sender-side waiting tests. */
    protected int fillMessageSize(Channel channel) {
        return Math.min(1024, channel.maxMessageSize());
    }

    /** The largest message the tests send; by default the channel's maximum, capped at 4 MiB. */
    protected int largestMessage(Channel channel) {
        return Math.min(channel.maxMessageSize(), 4 << 20);
    }

    /**
     * How long a test waits for something that should happen promptly (a message that was sent, a child
     * that was told to stop); exceeding it fails the test.
     */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /** How many messages the ordering tests send. */
    protected int messageCount() {
        return 2000;
    }

    /**
     * A defect of the transport that makes the named test fail, with the reason (naming the bug), or
     * {@code null} (the default). The test is then skipped with that reason instead of failing, until the
     * defect is fixed and the override removed.
     */
    protected String knownDefect(String testName) {
        return null;
    }

    @BeforeEach
    void skipKnownDefects(TestInfo test) {
        String defect = test.getTestMethod().map(m -> knownDefect(m.getName())).orElse(null);
        assumeTrue(defect == null, () -> "known defect: " + defect);
    }

    @AfterEach
    void closeOpened() {
        for (AutoCloseable c : opened) {
            ChannelPair.closeQuietly(c);
        }
        opened.clear();
    }

    private ChannelPair pair() throws Exception {
        ChannelPair pair = openPair();
        opened.add(pair);
        return pair;
    }

    // ---------------------------------------------------------------- messages

    @Test
    void messagesArriveInOrderWithTheirBoundaries() throws Exception {
        ChannelPair p = pair();
        int max = Math.min(largestMessage(p.a()), 8192);
        SplittableRandom random = new SplittableRandom(42);
        int count = messageCount();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    p.a().send(Messages.numbered(i, random.split().nextInt(Messages.MIN_NUMBERED, max + 1)));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(p.b().maxMessageSize());
        for (int i = 0; i < count; i++) {
            buffer.clear();
            int length = p.b().receive(buffer, patience());
            assertThat(length).as("message %d arrived", i).isGreaterThanOrEqualTo(Messages.MIN_NUMBERED);
            buffer.flip();
            Messages.assertNumbered(buffer, i, length);
        }
        sender.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p.b().tryReceive(ByteBuffer.allocate(max))).as("nothing beyond what was sent").isEqualTo(Receiver.NO_MESSAGE);
    }

    @Test
    void bothDirectionsAreIndependent() throws Exception {
        ChannelPair p = pair();
        p.a().send(bytes("ping"));
        p.b().send(bytes("pong"));
        assertThat(text(p.b().receive(patience()))).isEqualTo("ping");
        assertThat(text(p.a().receive(patience()))).isEqualTo("pong");
    }

    @Test
    void emptyMessageIsAMessage() throws Exception {
        ChannelPair p = pair();
        p.a().send(new byte[0]);
        p.a().send(bytes("after"));
        ByteBuffer buffer = ByteBuffer.allocate(64);
        assertThat(p.b().receive(buffer, patience())).isZero();
        assertThat(buffer.position()).isZero();
        assertThat(text(p.b().receive(patience()))).isEqualTo("after");
    }

    @Test
    void largestMessageArrivesWhole() throws Exception {
        ChannelPair p = pair();
        int size = largestMessage(p.a());
        ByteBuffer big = Messages.random(size, 7);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            try {
                p.a().send(big.duplicate());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteBuffer received = ByteBuffer.allocate(p.b().maxMessageSize());
        assertThat(p.b().receive(received, patience())).isEqualTo(size);
        sender.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        received.flip();
        assertThat(received).isEqualTo(big);
    }

    @Test
    void oversizedMessageIsRejectedAndNothingIsSent() throws Exception {
        ChannelPair p = pair();
        int max = p.a().maxMessageSize();
        assumeTrue(max < (64 << 20), "maximum too large to allocate in a test");
        ByteBuffer tooBig = ByteBuffer.allocate(max + 1);
        MessageTooLargeException e = (MessageTooLargeException) catchThrowable(() -> p.a().send(tooBig));
        assertThat(e).as("send of %d bytes on a channel with maximum %d", max + 1, max).isNotNull();
        assertThat(e.size()).isEqualTo(max + 1L);
        assertThat(e.maximum()).isEqualTo(max);
        assertThat(tooBig.position()).as("source untouched").isZero();
        assertThatThrownBy(() -> p.a().trySend(tooBig)).isInstanceOf(MessageTooLargeException.class);
        p.a().send(bytes("next"));
        assertThat(text(p.b().receive(patience()))).as("the next message, and nothing else").isEqualTo("next");
        assertThat(p.b().tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
    }

    @Test
    void tooSmallDestinationLosesNothing() throws Exception {
        ChannelPair p = pair();
        byte[] message = Messages.random(100, 3).array();
        p.a().send(message);
        ByteBuffer small = ByteBuffer.allocate(10);
        BufferTooSmallException e = (BufferTooSmallException) catchThrowable(
                () -> p.b().receive(small, patience()));
        assertThat(e).as("a 10-byte destination for a 100-byte message").isNotNull();
        assertThat(e.required()).isEqualTo(100);
        assertThat(small.position()).as("destination untouched").isZero();
        ByteBuffer enough = ByteBuffer.allocate(100);
        assertThat(p.b().receive(enough, patience())).isEqualTo(100);
        assertThat(enough.array()).isEqualTo(message);
    }

    @Test
    void sourcePositionAdvancesOnlyOnSuccess() throws Exception {
        ChannelPair p = pair();
        ByteBuffer message = bytes("0123456789");
        message.position(3);
        p.a().send(message);
        assertThat(message.hasRemaining()).isFalse();
        assertThat(text(p.b().receive(patience()))).isEqualTo("3456789");
    }

    // ---------------------------------------------------------------- waiting

    @Test
    void timedReceiveReturnsNoMessageAfterTheTimeout() throws Exception {
        ChannelPair p = pair();
        long start = System.nanoTime();
        int result = p.b().receive(ByteBuffer.allocate(16), Duration.ofMillis(200));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(result).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(elapsedMs).as("waited about the timeout").isBetween(150L, 10_000L);
        assertThat(p.b().tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(p.b().receive(Duration.ofMillis(1))).isNull();
    }

    @Test
    void receiveWaitsForALaterMessage() throws Exception {
        ChannelPair p = pair();
        CompletableFuture<byte[]> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                return p.b().receive();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertThat(receiver).isNotDone();
        p.a().send(bytes("late"));
        assertThat(text(receiver.get(patience().toMillis(), TimeUnit.MILLISECONDS))).isEqualTo("late");
    }

    @Test
    void fullChannelMakesTrySendFailAndTimedSendTimeOut() throws Exception {
        assumeTrue(hasBoundedCapacity(), "the channel has no bounded capacity");
        ChannelPair p = pair();
        byte[] chunk = new byte[Math.min(1024, p.a().maxMessageSize())];
        long sent = 0;
        long limit = (256L << 20) / Math.max(1, chunk.length);
        while (p.a().trySend(chunk)) {
            sent++;
            assertThat(sent).as("trySend kept succeeding with nobody receiving").isLessThan(limit);
        }
        assertThat(sent).as("some messages fit before the channel filled").isPositive();
        assertThat(p.a().send(chunk, Duration.ofMillis(100))).as("timed send on a full channel").isFalse();
        ByteBuffer buffer = ByteBuffer.allocate(p.b().maxMessageSize());
        long received = 0;
        while (true) {
            buffer.clear();
            if (p.b().receive(buffer, received < sent ? patience() : Duration.ofMillis(200)) == Receiver.NO_MESSAGE) {
                break;
            }
            received++;
        }
        assertThat(received).as("every accepted message arrives once").isEqualTo(sent);
        assertThat(p.a().send(chunk, Duration.ofSeconds(5))).as("room again after draining").isTrue();
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        ChannelPair p = pair();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            return catchThrowable(() -> p.b().receive(ByteBuffer.allocate(64)));
        });
        assertThat(started.await(patience().toMillis(), TimeUnit.MILLISECONDS)).as("receiver thread started").isTrue();
        Thread.sleep(200);
        assertThat(blocked).as("receive blocks while nothing arrives (it must be blocked before the close)").isNotDone();
        p.b().close();
        Throwable t = blocked.get(5, TimeUnit.SECONDS);
        assertThat(t).as("the woken receiver's exception").isInstanceOf(EndpointClosedException.class);
    }

    @Test
    void interruptWakesABlockedReceiver() throws Exception {
        ChannelPair p = pair();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        boolean[] interruptedAfter = new boolean[1];
        Thread t = new Thread(() -> {
            started.countDown();
            Throwable thrown = catchThrowable(() -> p.b().receive(ByteBuffer.allocate(64)));
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
            outcome.complete(thrown);
        });
        t.start();
        assertThat(started.await(patience().toMillis(), TimeUnit.MILLISECONDS)).as("receiver thread started").isTrue();
        Thread.sleep(200);
        assertThat(outcome).as("receive blocks while nothing arrives (it must be blocked before the interrupt)").isNotDone();
        t.interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(interruptedAfter[0]).as("interrupt status after the InterruptedIOException").isTrue();
    }

    @Test
    void closeWakesABlockedSender() throws Exception {
        assumeTrue(hasBoundedCapacity(), "the channel has no bounded capacity");
        ChannelPair p = pair();
        OneWayContract.fill(p.a(), fillMessageSize(p.a()), capacity(), patience());
        ByteBuffer message = ByteBuffer.allocate(fillMessageSize(p.a()));
        Blocked blocked = Blocked.start("send", () -> p.a().send(message));
        blocked.assertBlocked(patience());
        p.a().close();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).as("the woken sender's exception")
                .isInstanceOf(EndpointClosedException.class);
        assertThat(message.position()).as("source untouched by the failed send").isZero();
    }

    @Test
    void interruptWakesABlockedSenderAndNothingIsSent() throws Exception {
        assumeTrue(hasBoundedCapacity(), "the channel has no bounded capacity");
        ChannelPair p = pair();
        long sent = OneWayContract.fill(p.a(), fillMessageSize(p.a()), capacity(), patience());
        ByteBuffer message = ByteBuffer.allocate(fillMessageSize(p.a()));
        Blocked blocked = Blocked.start("send", () -> p.a().send(message));
        blocked.assertBlocked(patience());
        blocked.interrupt();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).isInstanceOf(InterruptedIOException.class);
        assertThat(blocked.interruptedAfter()).as("interrupt status after the InterruptedIOException").isTrue();
        assertThat(message.position()).as("source untouched").isZero();
        ByteBuffer buffer = ByteBuffer.allocate(p.b().maxMessageSize());
        long received = 0;
        while (p.b().receive(buffer.clear(), received < sent ? patience() : Duration.ofMillis(300)) != Receiver.NO_MESSAGE) {
            received++;
        }
        assertThat(received).as("the interrupted send sent nothing").isEqualTo(sent);
    }

    @Test
    void sourcePositionIsUnchangedWhenASendReturnsFalse() throws Exception {
        assumeTrue(hasBoundedCapacity(), "the channel has no bounded capacity");
        ChannelPair p = pair();
        OneWayContract.fill(p.a(), fillMessageSize(p.a()), capacity(), patience());
        ByteBuffer message = ByteBuffer.allocate(fillMessageSize(p.a()) + 2).position(2);
        assertThat(p.a().trySend(message)).isFalse();
        assertThat(message.position()).as("after a refused trySend").isEqualTo(2);
        assertThat(p.a().send(message, Duration.ofMillis(100))).isFalse();
        assertThat(message.position()).as("after a timed-out send").isEqualTo(2);
    }

    @Test
    void sendAfterThePeersDeathThrows() throws Exception {
        ChannelPair p = pair();
        p.a().send(bytes("alive?"));
        assertThat(text(p.b().receive(patience()))).isEqualTo("alive?");
        assumeTrue(killPeer(p), "the transport cannot tell a sender that its peer is gone");
        ByteBuffer message = bytes("lost?");
        Throwable t = catchThrowable(() -> p.a().send(message, patience()));
        assertThat(t).as("the first send after the peer died (a normal return loses the message)")
                .isInstanceOf(org.ipc4j.api.IpcException.class).isNotInstanceOf(EndpointClosedException.class);
        assertThat(message.position()).isZero();
    }

    @Test
    void closedEndpointRejectsEveryOperationAndCloseIsIdempotent() throws Exception {
        ChannelPair p = pair();
        p.a().close();
        p.a().close();
        assertThat(p.a().isOpen()).isFalse();
        assertThatThrownBy(() -> p.a().send(bytes("x"))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> p.a().trySend(bytes("x"))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> p.a().receive(ByteBuffer.allocate(8))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> p.a().tryReceive(ByteBuffer.allocate(8))).isInstanceOf(EndpointClosedException.class);
    }

    @Test
    void peerCloseIsReportedAfterItsMessages() throws Exception {
        assumeTrue(reportsPeerClose(), "the mechanism cannot tell that the peer closed");
        ChannelPair p = pair();
        p.a().send(bytes("one"));
        p.a().send(bytes("two"));
        p.a().close();
        assertThat(text(p.b().receive(patience()))).isEqualTo("one");
        assertThat(text(p.b().receive(patience()))).isEqualTo("two");
        long start = System.nanoTime();
        assertThatThrownBy(() -> p.b().receive(ByteBuffer.allocate(16), patience()))
                .isInstanceOf(PeerGoneException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(peerDeathTimeout());
    }

    @Test
    void nullArgumentsAreRejected() throws Exception {
        ChannelPair p = pair();
        assertThatThrownBy(() -> p.a().send((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.a().trySend((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.b().receive((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> p.b().tryReceive(null)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- across processes

    @Test
    void echoAcrossProcesses() throws Exception {
        Addresses addresses = remoteAddresses();
        assumeTrue(addresses != null, "not addressable from another process");
        try (Remote remote = startEcho(addresses)) {
            Channel local = remote.local;
            int max = largestMessage(local);
            int[] sizes = {0, 1, 7, 64, 1000, 4096, 65_536, max};
            ByteBuffer buffer = ByteBuffer.allocate(local.maxMessageSize());
            CRC32 sent = new CRC32();
            CRC32 echoed = new CRC32();
            int rounds = Math.min(messageCount(), 500);
            for (int i = 0; i < rounds; i++) {
                int size = Math.min(sizes[i % sizes.length], max);
                ByteBuffer message = Messages.random(size, i);
                sent.update(message.duplicate());
                local.send(message);
                buffer.clear();
                int length = local.receive(buffer, patience());
                assertThat(length).as("echo %d (%d bytes) came back", i, size).isEqualTo(size);
                buffer.flip();
                echoed.update(buffer);
            }
            assertThat(echoed.getValue()).as("checksum of all echoes").isEqualTo(sent.getValue());
            local.send(EchoTestApp.STOP);
            assertThat(local.receive(patience())).isEqualTo(EchoTestApp.STOP);
            assertThat(remote.child.waitFor(patience())).as("child exit code\n" + remote.child.output()).isZero();
        }
    }

    @Test
    void peerKilledWithSigkillIsReported() throws Exception {
        assumeTrue(reportsPeerDeath(), "the mechanism cannot tell that the peer died");
        Addresses addresses = remoteAddresses();
        assumeTrue(addresses != null, "not addressable from another process");
        try (Remote remote = startEcho(addresses)) {
            remote.local.send(bytes("alive?"));
            assertThat(text(remote.local.receive(patience()))).isEqualTo("alive?");
            remote.child.killHard();
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(remote.local.maxMessageSize());
                long end = System.nanoTime() + peerDeathTimeout().toNanos() * 2;
                while (System.nanoTime() < end) {
                    buffer.clear();
                    remote.local.receive(buffer, Duration.ofMillis(500));
                }
            });
            assertThat(t).as("receive after the peer was killed").isInstanceOf(PeerGoneException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(peerDeathTimeout());
        }
    }

    @Test
    void sendAfterTheKilledPeerWasReportedThrows() throws Exception {
        assumeTrue(reportsPeerDeath() && reportsPeerDeathToSender(), "the mechanism cannot tell that the peer died");
        Addresses addresses = remoteAddresses();
        assumeTrue(addresses != null, "not addressable from another process");
        try (Remote remote = startEcho(addresses)) {
            remote.local.send(bytes("alive?"));
            assertThat(text(remote.local.receive(patience()))).isEqualTo("alive?");
            remote.child.killHard();
            Throwable gone = catchThrowable(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(remote.local.maxMessageSize());
                long end = System.nanoTime() + peerDeathTimeout().toNanos() * 2;
                while (System.nanoTime() < end) {
                    remote.local.receive(buffer.clear(), Duration.ofMillis(500));
                }
            });
            assertThat(gone).as("receive after the peer was killed").isInstanceOf(PeerGoneException.class);
            ByteBuffer message = bytes("lost?");
            Throwable t = catchThrowable(() -> remote.local.send(message, patience()));
            assertThat(t).as("the first send once the peer's death was reported (a normal return loses the message)")
                    .isInstanceOf(org.ipc4j.api.IpcException.class).isNotInstanceOf(EndpointClosedException.class);
            assertThat(message.position()).isZero();
        }
    }

    /** A local end and the child JVM echoing on the remote end. */
    protected static final class Remote implements AutoCloseable {
        public final Channel local;
        public final ChildJvm child;

        Remote(Channel local, ChildJvm child) {
            this.local = local;
            this.child = child;
        }

        @Override
        public void close() throws Exception {
            ChannelPair.closeQuietly(local);
            child.close();
        }
    }

    /**
     * Opens the local end (in the background, since opening may wait for the peer) and starts the echo
     * child on the remote end.
     */
    protected Remote startEcho(Addresses addresses) throws Exception {
        CompletableFuture<Channel> local = CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open(addresses.local());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        if (openLocalBeforeChild()) {
            local.join();
        }
        ChildJvm child = ChildJvm.start(EchoTestApp.class, addresses.remote());
        try {
            Channel channel = local.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            child.awaitOutput(EchoTestApp.READY, patience());
            return new Remote(channel, child);
        } catch (ExecutionException | TimeoutException | AssertionError e) {
            local.thenAccept(ChannelPair::closeQuietly);
            child.close();
            throw new AssertionError("could not open the cross-process channel " + addresses
                    + "\n--- child output ---\n" + child.output(), e);
        }
    }

    /**
     * Whether the local end must be fully open before the child starts: true for a creator that the child
     * must find already there. The default, false, opens both concurrently, which is what a rendezvous
     * needs (a FIFO open or a server's accept blocks until the other side arrives).
     */
    protected boolean openLocalBeforeChild() {
        return false;
    }

    // ---------------------------------------------------------------- helpers

    protected static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    protected static String text(byte[] b) {
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Message generators and checks shared by the contract tests. */
    protected static final class Messages {
        /** The smallest numbered message: 4 bytes of sequence number and 4 of length. */
        static final int MIN_NUMBERED = 8;

        private Messages() {
        }

        /** A message of {@code size} bytes carrying its sequence number, its length and a derived pattern. */
        static ByteBuffer numbered(int sequence, int size) {
            ByteBuffer b = ByteBuffer.allocate(size);
            b.putInt(sequence).putInt(size);
            while (b.hasRemaining()) {
                b.put((byte) (sequence * 31 + b.position()));
            }
            return b.flip();
        }

        static void assertNumbered(ByteBuffer b, int expectedSequence, int length) {
            int sequence = b.getInt(0);
            assertThat(sequence).as("sequence number (a reordered or lost message)").isEqualTo(expectedSequence);
            assertThat(b.getInt(4)).as("length written by the sender of message %d", sequence).isEqualTo(length);
            byte[] expected = numbered(sequence, length).array();
            byte[] actual = new byte[length];
            b.get(0, actual);
            assertThat(Arrays.equals(actual, expected)).as("content of message %d", sequence).isTrue();
        }

        static ByteBuffer random(int size, long seed) {
            byte[] b = new byte[size];
            new SplittableRandom(seed).nextBytes(b);
            return ByteBuffer.wrap(b);
        }
    }
}
