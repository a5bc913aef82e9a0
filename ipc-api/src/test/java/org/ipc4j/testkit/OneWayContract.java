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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.ChannelContract.Messages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract every ipc4j one-way pair of ends ({@link Sender}, {@link Receiver}) must meet. A transport
 * extends this class, says how to open a connected pair in this JVM ({@link #openPair()}) and, where its
 * ends can be opened by another process, how a child JVM opens them ({@link #remote()}); it inherits the
 * tests: ordering and message boundaries, the maximum size, the empty message, the try and timed forms, the
 * position rules of source and destination, a too-small destination, {@code byte[]} receives, bad
 * arguments, {@link Sender#close() close} and {@link Thread#interrupt() interrupt} waking a blocked receiver
 * and a blocked sender, use after close, the sender's close seen by the receiver, and (where the subclass
 * can kill the receiving side, {@link #killReceiver(OneWayPair)}) a send after the receiver's death
 * throwing instead of losing the message.
 *
 * <p>Capacity: the sender-side waiting tests fill the pipe or queue with {@code trySend} of
 * {@link #fillMessageSize(Sender)}-byte messages until it refuses, then wait until it stays full (an end
 * that moves messages on behind the caller's back, a relay, drains for a while). A subclass whose pair
 * holds a known number of messages says so in {@link #capacity()}, and the kit checks that exactly that
 * many fit.
 *
 * <p>Every test is bounded by a {@link Timeout}; named objects go through {@link #names}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class OneWayContract {

    /** Clean-up of named objects; also fails a test that leaks one. */
    @RegisterExtension
    protected final NamedObjects names = new NamedObjects();

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Opens a connected pair in this JVM. Register named objects with {@link #names} for clean-up. */
    protected abstract OneWayPair openPair() throws Exception;

    /**
     * How a child JVM opens ends of a fresh one-way channel, or {@code null} (the default) if the ends cannot
     * be opened by another process: the cross-process tests are then skipped.
     */
    protected OneWayRemote remote() throws Exception {
        return null;
    }

    /** How many messages the pair holds with nobody receiving, if that is a fixed number; else -1. */
    protected int capacity() {
        return -1;
    }

    /** Whether sends eventually wait (and {@code trySend} refuses) when nobody receives. */
    protected boolean hasBoundedCapacity() {
        return true;
    }

    /** The size of the messages that fill the pair in the waiting tests. */
    protected int fillMessageSize(Sender sender) {
        return Math.min(1024, sender.maxMessageSize());
    }

    /** Whether a message of 0 bytes can be sent (and arrives as a message of 0 bytes). */
    protected boolean allowsEmptyMessage() {
        return true;
    }

    /** Whether the receiver learns that the sender closed (then receives throw {@link PeerGoneException}). */
    protected boolean reportsSenderClose() {
        return true;
    }

    /**
     * Makes the receiving side of {@code pair} die (kill its process, or close it where death and close are
     * the same to the sender) and returns once it is gone; or returns {@code false} (the default) if the
     * transport cannot tell a sender that its receiver is gone, and the test is skipped. After {@code true},
     * the next send must throw {@link PeerGoneException} (or another {@link IpcException}), never return
     * normally with the message lost.
     */
    protected boolean killReceiver(OneWayPair pair) throws Exception {
        return false;
    }

    /** The largest message the tests send; by default the sender's maximum, capped at 4 MiB. */
    protected int largestMessage(Sender sender) {
        return Math.min(sender.maxMessageSize(), 4 << 20);
    }

    /** How long a test waits for something that should happen promptly; exceeding it fails the test. */
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
        for (int i = opened.size() - 1; i >= 0; i--) {
            ChannelPair.closeQuietly(opened.get(i));
        }
        opened.clear();
    }

    /** A fresh pair, closed after the test. */
    protected final OneWayPair pair() throws Exception {
        OneWayPair pair = openPair();
        opened.add(pair);
        return pair;
    }

    // ---------------------------------------------------------------- messages

    @Test
    void messagesArriveInOrderWithTheirBoundaries() throws Exception {
        OneWayPair p = pair();
        int max = Math.min(largestMessage(p.sender()), 8192);
        int count = messageCount();
        SplittableRandom random = new SplittableRandom(42);
        CompletableFuture<Void> sender = Blocked.async(() -> {
            for (int i = 0; i < count; i++) {
                p.sender().send(Messages.numbered(i, random.split().nextInt(Messages.MIN_NUMBERED, max + 1)));
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(p.receiver().maxMessageSize());
        for (int i = 0; i < count; i++) {
            buffer.clear();
            int length = p.receiver().receive(buffer, patience());
            assertThat(length).as("message %d arrived", i).isGreaterThanOrEqualTo(Messages.MIN_NUMBERED);
            buffer.flip();
            Messages.assertNumbered(buffer, i, length);
        }
        sender.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p.receiver().tryReceive(ByteBuffer.allocate(max))).as("nothing beyond what was sent")
                .isEqualTo(Receiver.NO_MESSAGE);
    }

    @Test
    void emptyMessageIsAMessage() throws Exception {
        assumeTrue(allowsEmptyMessage(), "the transport has no empty message");
        OneWayPair p = pair();
        p.sender().send(new byte[0]);
        p.sender().send(ChannelContract.bytes("after"));
        ByteBuffer buffer = ByteBuffer.allocate(64);
        assertThat(p.receiver().receive(buffer, patience())).isZero();
        assertThat(buffer.position()).isZero();
        p.sender().send(new byte[0]);
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("after");
        assertThat(p.receiver().receive(patience())).as("byte[] receive of an empty message").isEmpty();
    }

    @Test
    void largestMessageArrivesWhole() throws Exception {
        OneWayPair p = pair();
        int size = largestMessage(p.sender());
        ByteBuffer big = Messages.random(size, 7);
        CompletableFuture<Void> sender = Blocked.async(() -> p.sender().send(big.duplicate()));
        ByteBuffer received = ByteBuffer.allocate(p.receiver().maxMessageSize());
        assertThat(p.receiver().receive(received, patience())).isEqualTo(size);
        sender.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(received.flip()).isEqualTo(big);
    }

    @Test
    void oversizedMessageIsRejectedByEveryFormAndNothingIsSent() throws Exception {
        OneWayPair p = pair();
        int max = p.sender().maxMessageSize();
        assumeTrue(max < (64 << 20), "maximum too large to allocate in a test");
        ByteBuffer tooBig = ByteBuffer.allocate(max + 1);
        MessageTooLargeException e = (MessageTooLargeException) catchThrowable(() -> p.sender().send(tooBig));
        assertThat(e).as("send of %d bytes on an end with maximum %d", max + 1, max).isNotNull();
        assertThat(e.size()).isEqualTo(max + 1L);
        assertThat(e.maximum()).isEqualTo(max);
        assertThatThrownBy(() -> p.sender().send(tooBig, Duration.ofMillis(100))).isInstanceOf(MessageTooLargeException.class);
        assertThatThrownBy(() -> p.sender().trySend(tooBig)).isInstanceOf(MessageTooLargeException.class);
        assertThatThrownBy(() -> p.sender().send(tooBig.array())).isInstanceOf(MessageTooLargeException.class);
        assertThat(tooBig.position()).as("source untouched").isZero();
        p.sender().send(ChannelContract.bytes("next"));
        assertThat(text(p.receiver().receive(patience()))).as("the next message, and nothing else").isEqualTo("next");
        assertThat(p.receiver().tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
    }

    @Test
    void tooSmallDestinationThrowsAndTheMessageStaysForEveryForm() throws Exception {
        OneWayPair p = pair();
        byte[] message = Messages.random(100, 3).array();
        p.sender().send(message);
        ByteBuffer small = ByteBuffer.allocate(20).position(5);
        BufferTooSmallException e = (BufferTooSmallException) catchThrowable(
                () -> p.receiver().receive(small, patience()));
        assertThat(e).as("a 15-byte destination for a 100-byte message").isNotNull();
        assertThat(e.required()).isEqualTo(100);
        assertThat(small.position()).as("destination position untouched").isEqualTo(5);
        assertThatThrownBy(() -> p.receiver().tryReceive(small)).isInstanceOf(BufferTooSmallException.class);
        assertThatThrownBy(() -> p.receiver().receive(small)).isInstanceOf(BufferTooSmallException.class);
        assertThat(small.position()).isEqualTo(5);
        ByteBuffer enough = ByteBuffer.allocate(100);
        assertThat(p.receiver().receive(enough, patience())).as("the message is still there").isEqualTo(100);
        assertThat(enough.array()).isEqualTo(message);
    }

    @Test
    void byteArrayReceiveReturnsExactlyTheMessage() throws Exception {
        OneWayPair p = pair();
        int[] sizes = {1, 3, 100, 4096, Math.min(65_536, largestMessage(p.sender()))};
        for (int i = 0; i < sizes.length; i++) {
            byte[] message = Messages.random(sizes[i], i).array();
            p.sender().send(message);
            byte[] received = i % 2 == 0 ? p.receiver().receive() : p.receiver().receive(patience());
            assertThat(received).as("a %d-byte message", sizes[i]).hasSize(sizes[i]).isEqualTo(message);
        }
        assertThat(p.receiver().receive(Duration.ofMillis(50))).as("timed byte[] receive with none").isNull();
    }

    @Test
    void sourcePositionAdvancesOnSuccessOfEveryForm() throws Exception {
        OneWayPair p = pair();
        ByteBuffer a = ChannelContract.bytes("0123456789").position(3);
        p.sender().send(a);
        ByteBuffer b = ChannelContract.bytes("abcdef").position(2).limit(5);
        assertThat(p.sender().send(b, patience())).isTrue();
        ByteBuffer c = ChannelContract.bytes("xyz");
        assertThat(p.sender().trySend(c)).isTrue();
        assertThat(a.position()).isEqualTo(a.limit());
        assertThat(b.position()).isEqualTo(5);
        assertThat(c.position()).isEqualTo(c.limit());
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("3456789");
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("cde");
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("xyz");
    }

    @Test
    void destinationPositionAdvancesByTheLengthOnSuccessOnly() throws Exception {
        OneWayPair p = pair();
        ByteBuffer destination = ByteBuffer.allocate(64).position(7);
        assertThat(p.receiver().tryReceive(destination)).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(p.receiver().receive(destination, Duration.ofMillis(50))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(destination.position()).as("unchanged on NO_MESSAGE").isEqualTo(7);
        p.sender().send(ChannelContract.bytes("hello"));
        p.sender().send(ChannelContract.bytes("there"));
        p.sender().send(ChannelContract.bytes("you"));
        assertThat(p.receiver().receive(destination)).isEqualTo(5);
        assertThat(destination.position()).isEqualTo(12);
        assertThat(p.receiver().receive(destination, patience())).isEqualTo(5);
        assertThat(destination.position()).isEqualTo(17);
        assertThat(awaitTry(p.receiver(), destination)).isEqualTo(3);
        assertThat(destination.position()).isEqualTo(20);
        assertThat(new String(destination.array(), 7, 13, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hellothereyou");
    }

    @Test
    void nullArgumentsAreRejected() throws Exception {
        OneWayPair p = pair();
        Sender s = p.sender();
        Receiver r = p.receiver();
        ByteBuffer some = ByteBuffer.allocate(8);
        assertThatThrownBy(() -> s.send((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.send((ByteBuffer) null, Duration.ofMillis(10))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.send(some, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.trySend((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.send((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.receive((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.receive((ByteBuffer) null, Duration.ofMillis(10))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.receive(some, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.tryReceive(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> r.receive((Duration) null)).isInstanceOf(NullPointerException.class);
        assertThat(some.position()).isZero();
        p.sender().send(ChannelContract.bytes("still fine"));
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("still fine");
    }

    // ---------------------------------------------------------------- waiting

    @Test
    void timedReceiveReturnsNoMessageAfterTheTimeoutAndTryReceiveNeverWaits() throws Exception {
        OneWayPair p = pair();
        long start = System.nanoTime();
        assertThat(p.receiver().receive(ByteBuffer.allocate(16), Duration.ofMillis(200))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(millisSince(start)).as("waited about the timeout").isBetween(150L, 10_000L);
        start = System.nanoTime();
        assertThat(p.receiver().tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(p.receiver().receive(Duration.ofMillis(1))).isNull();
        assertThat(millisSince(start)).as("tryReceive and a 1 ms receive do not wait").isLessThan(5_000L);
    }

    @Test
    void receiveWaitsForALaterMessage() throws Exception {
        OneWayPair p = pair();
        CompletableFuture<byte[]> receiver = CompletableFuture.supplyAsync(() -> {
            try {
                return p.receiver().receive();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertThat(receiver).isNotDone();
        p.sender().send(ChannelContract.bytes("late"));
        assertThat(text(receiver.get(patience().toMillis(), TimeUnit.MILLISECONDS))).isEqualTo("late");
    }

    @Test
    void fullPairRefusesTrySendAndTimesOutTimedSendWithThePositionUnchanged() throws Exception {
        assumeTrue(hasBoundedCapacity(), "the pair has no bounded capacity");
        OneWayPair p = pair();
        long sent = fill(p.sender());
        ByteBuffer chunk = ByteBuffer.allocate(fillMessageSize(p.sender()) + 3).position(3);
        assertThat(p.sender().trySend(chunk)).as("trySend on a full pair").isFalse();
        assertThat(chunk.position()).as("position after a refused trySend").isEqualTo(3);
        long start = System.nanoTime();
        assertThat(p.sender().send(chunk, Duration.ofMillis(200))).as("timed send on a full pair").isFalse();
        assertThat(millisSince(start)).as("waited about the timeout").isBetween(150L, 10_000L);
        assertThat(chunk.position()).as("position after a timed-out send").isEqualTo(3);
        ByteBuffer buffer = ByteBuffer.allocate(p.receiver().maxMessageSize());
        long received = 0;
        while (true) {
            buffer.clear();
            if (p.receiver().receive(buffer, received < sent ? patience() : Duration.ofMillis(300)) == Receiver.NO_MESSAGE) {
                break;
            }
            assertThat(buffer.position()).as("message %d's length", received).isEqualTo(fillMessageSize(p.sender()));
            received++;
        }
        assertThat(received).as("every accepted message arrives once, no refused one").isEqualTo(sent);
        assertThat(p.sender().send(chunk, patience())).as("room again after draining").isTrue();
        assertThat(chunk.position()).isEqualTo(chunk.limit());
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        OneWayPair p = pair();
        Blocked blocked = Blocked.start("receive", () -> p.receiver().receive(ByteBuffer.allocate(64)));
        blocked.assertBlocked(patience());
        p.receiver().close();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).as("the woken receiver's exception")
                .isInstanceOf(EndpointClosedException.class);
    }

    @Test
    void closeWakesABlockedSender() throws Exception {
        assumeTrue(hasBoundedCapacity(), "sends never wait");
        OneWayPair p = pair();
        fill(p.sender());
        ByteBuffer message = ByteBuffer.allocate(fillMessageSize(p.sender()));
        Blocked blocked = Blocked.start("send", () -> p.sender().send(message));
        blocked.assertBlocked(patience());
        p.sender().close();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).as("the woken sender's exception")
                .isInstanceOf(EndpointClosedException.class);
        assertThat(message.position()).as("source untouched by the failed send").isZero();
    }

    @Test
    void interruptWakesABlockedReceiverAndKeepsTheInterruptStatus() throws Exception {
        OneWayPair p = pair();
        Blocked blocked = Blocked.start("receive", () -> p.receiver().receive(ByteBuffer.allocate(64)));
        blocked.assertBlocked(patience());
        blocked.interrupt();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).isInstanceOf(InterruptedIOException.class);
        assertThat(blocked.interruptedAfter()).as("interrupt status after the InterruptedIOException").isTrue();
        p.sender().send(ChannelContract.bytes("after"));
        assertThat(text(p.receiver().receive(patience()))).as("the end still works").isEqualTo("after");
    }

    @Test
    void interruptWakesABlockedSenderAndKeepsTheInterruptStatus() throws Exception {
        assumeTrue(hasBoundedCapacity(), "sends never wait");
        OneWayPair p = pair();
        long sent = fill(p.sender());
        ByteBuffer message = ByteBuffer.allocate(fillMessageSize(p.sender()));
        Blocked blocked = Blocked.start("send", () -> p.sender().send(message));
        blocked.assertBlocked(patience());
        blocked.interrupt();
        assertThat(blocked.outcome(Duration.ofSeconds(5))).isInstanceOf(InterruptedIOException.class);
        assertThat(blocked.interruptedAfter()).as("interrupt status after the InterruptedIOException").isTrue();
        assertThat(message.position()).as("source untouched: nothing was sent").isZero();
        ByteBuffer buffer = ByteBuffer.allocate(p.receiver().maxMessageSize());
        long received = 0;
        while (p.receiver().receive(buffer.clear(), received < sent ? patience() : Duration.ofMillis(300)) != Receiver.NO_MESSAGE) {
            received++;
        }
        assertThat(received).as("the interrupted send sent nothing").isEqualTo(sent);
    }

    @Test
    void closedEndsRejectEveryOperationAndCloseIsIdempotent() throws Exception {
        OneWayPair p = pair();
        Sender s = p.sender();
        Receiver r = p.receiver();
        s.close();
        s.close();
        r.close();
        r.close();
        assertThat(s.isOpen()).isFalse();
        assertThat(r.isOpen()).isFalse();
        ByteBuffer message = ChannelContract.bytes("x");
        assertThatThrownBy(() -> s.send(message)).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> s.send(message, Duration.ofMillis(10))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> s.trySend(message)).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> s.send(new byte[1])).isInstanceOf(EndpointClosedException.class);
        assertThat(message.position()).isZero();
        ByteBuffer destination = ByteBuffer.allocate(8);
        assertThatThrownBy(() -> r.receive(destination)).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> r.receive(destination, Duration.ofMillis(10))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> r.tryReceive(destination)).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(r::receive).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> r.receive(Duration.ofMillis(10))).isInstanceOf(EndpointClosedException.class);
        assertThat(destination.position()).isZero();
    }

    @Test
    void senderCloseIsReportedAfterItsMessages() throws Exception {
        assumeTrue(reportsSenderClose(), "the transport cannot tell that the sender closed");
        OneWayPair p = pair();
        p.sender().send(ChannelContract.bytes("one"));
        p.sender().send(ChannelContract.bytes("two"));
        p.sender().close();
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("one");
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("two");
        assertThatThrownBy(() -> p.receiver().receive(ByteBuffer.allocate(16), patience()))
                .isInstanceOf(PeerGoneException.class);
    }

    @Test
    void sendAfterTheReceiversDeathThrows() throws Exception {
        OneWayPair p = pair();
        p.sender().send(ChannelContract.bytes("alive?"));
        assertThat(text(p.receiver().receive(patience()))).isEqualTo("alive?");
        assumeTrue(killReceiver(p), "the transport cannot tell a sender that its receiver is gone");
        ByteBuffer message = ChannelContract.bytes("lost?");
        Throwable t = catchThrowable(() -> p.sender().send(message, patience()));
        assertThat(t).as("the first send after the receiver died (a normal return loses the message)")
                .isInstanceOf(IpcException.class).isNotInstanceOf(EndpointClosedException.class);
        assertThat(message.position()).isZero();
        assertThatThrownBy(() -> p.sender().trySend(message)).as("and every send after it")
                .isInstanceOf(IpcException.class);
    }

    // ---------------------------------------------------------------- across processes

    @Test
    void messagesFromAChildJvmArriveInOrder() throws Exception {
        OneWayRemote remote = remote();
        assumeTrue(remote != null, "the ends cannot be opened by another process");
        int count = Math.min(messageCount(), 500);
        try (OneWayRemote.Session s = remote.childSends(count, patience())) {
            Receiver receiver = s.receiver();
            ByteBuffer buffer = ByteBuffer.allocate(receiver.maxMessageSize());
            for (int i = 0; i < count; i++) {
                buffer.clear();
                int length = receiver.receive(buffer, patience());
                assertThat(length).as("message %d arrived\n%s", i, s.child().output()).isGreaterThanOrEqualTo(Messages.MIN_NUMBERED);
                Messages.assertNumbered(buffer.flip(), i, length);
            }
            assertThat(s.child().waitFor(patience())).as("child exit code\n" + s.child().output()).isZero();
            if (reportsSenderClose()) {
                assertThatThrownBy(() -> receiver.receive(ByteBuffer.allocate(16), patience()))
                        .as("after the child's messages").isInstanceOf(PeerGoneException.class);
            }
        }
    }

    @Test
    void messagesToAChildJvmArriveInOrder() throws Exception {
        OneWayRemote remote = remote();
        assumeTrue(remote != null, "the ends cannot be opened by another process");
        int count = Math.min(messageCount(), 500);
        try (OneWayRemote.Session s = remote.childReceives(count, patience())) {
            for (int i = 0; i < count; i++) {
                s.sender().send(Messages.numbered(i, OneWayPeerTestApp.size(i)));
            }
            s.child().awaitOutput(OneWayPeerTestApp.RECEIVED_ALL, patience());
            assertThat(s.child().waitFor(patience())).as("child exit code\n" + s.child().output()).isZero();
        }
    }

    @Test
    void sendAfterTheChildReceiverWasKilledThrows() throws Exception {
        OneWayRemote remote = remote();
        assumeTrue(remote != null, "the ends cannot be opened by another process");
        assumeTrue(remote.senderSeesReceiverDeath(), "the transport cannot tell a sender that its receiver died");
        try (OneWayRemote.Session s = remote.childReceives(-1, patience())) {
            s.sender().send(Messages.numbered(0, OneWayPeerTestApp.size(0)));
            s.child().awaitOutput(OneWayPeerTestApp.GOT + 0, patience());
            s.child().killHard();
            ByteBuffer message = Messages.numbered(1, OneWayPeerTestApp.size(1));
            Throwable t = catchThrowable(() -> s.sender().send(message, patience()));
            assertThat(t).as("the first send after the receiving process was killed (a normal return loses the message)")
                    .isInstanceOf(IpcException.class).isNotInstanceOf(EndpointClosedException.class);
            assertThat(message.position()).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Fills the pair with {@code trySend} until it refuses, and until it stays refused for a moment (an end
     * that relays messages drains for a while). Checks the count against {@link #capacity()} if known.
     *
     * @return how many messages were accepted
     */
    protected final long fill(Sender sender) throws Exception {
        return fill(sender, fillMessageSize(sender), capacity(), patience());
    }

    /** {@link #fill(Sender)} with explicit parameters, for {@link ChannelContract} too. */
    static long fill(Sender sender, int messageSize, int capacity, Duration patience) throws Exception {
        byte[] chunk = new byte[messageSize];
        long limit = (256L << 20) / Math.max(1, chunk.length);
        long sent = 0;
        long quietSince = System.nanoTime();
        long giveUp = System.nanoTime() + patience.toNanos();
        while (true) {
            if (sender.trySend(chunk)) {
                sent++;
                quietSince = System.nanoTime();
                assertThat(sent).as("trySend kept succeeding with nobody receiving").isLessThan(limit);
            } else if (capacity >= 0 || millisSince(quietSince) >= 300) {
                break;
            } else {
                assertThat(System.nanoTime()).as("the pair never stayed full").isLessThan(giveUp);
                Thread.sleep(10);
            }
        }
        assertThat(sent).as("some messages fit before the pair filled").isPositive();
        if (capacity >= 0) {
            assertThat(sent).as("messages the pair holds").isEqualTo(capacity);
        }
        return sent;
    }

    /** tryReceive, retried for a message known to be sent (a relay may take a moment to deliver it). */
    private int awaitTry(Receiver receiver, ByteBuffer destination) throws Exception {
        long end = System.nanoTime() + patience().toNanos();
        while (true) {
            int n = receiver.tryReceive(destination);
            if (n != Receiver.NO_MESSAGE || System.nanoTime() > end) {
                return n;
            }
            Thread.sleep(1);
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String text(byte[] b) {
        return ChannelContract.text(b);
    }
}
