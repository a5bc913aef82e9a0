package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The waiting rules of a stream channel's two ends. A sender blocked on a full channel (a peer that does not
 * read) wakes on close with {@link EndpointClosedException} and on interrupt with {@link InterruptedIOException},
 * having sent nothing: the frames before it arrive whole, the stream ends between frames, and after an
 * interrupt the next message follows them. A false or timed-out send or receive leaves the buffer's position as
 * it was, also while a frame is only partly there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaitingRulesTest {
    private static final int MESSAGE = 1024;
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private record Pair(StreamChannel sender, StreamChannel receiver) {
    }

    private Pair pair(String scheme) throws Exception {
        SocketAddress address = scheme.equals("unix") ? UnixDomainSocketAddress.of(names.uniquePath("wait", ".sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), TcpChannelIT.freeTcpPort());
        CompletableFuture<StreamChannel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannel.at(address).role(Role.A).bufferSize(16 * 1024).open(PATIENCE);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        StreamChannel sender = names.closeAfter(StreamChannel.at(address).role(Role.B).bufferSize(16 * 1024).open(PATIENCE));
        StreamChannel receiver = names.closeAfter(listener.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        return new Pair(sender, receiver);
    }

    private static ByteBuffer numbered(int sequence) {
        ByteBuffer b = ByteBuffer.allocate(MESSAGE);
        b.putInt(sequence);
        while (b.hasRemaining()) {
            b.put((byte) (sequence + b.position()));
        }
        return b.flip();
    }

    /** Sends numbered messages until the channel is full; returns how many were taken. */
    private static int fill(StreamChannel sender) throws Exception {
        int sent = 0;
        while (sender.trySend(numbered(sent))) {
            sent++;
            assertThat(sent).as("trySend kept succeeding with nobody receiving").isLessThan(1_000_000);
        }
        assertThat(sent).isPositive();
        return sent;
    }

    private static void receiveInOrder(StreamChannel receiver, int from, int to) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(MESSAGE * 2);
        for (int i = from; i < to; i++) {
            buffer.clear();
            assertThat(receiver.receive(buffer, PATIENCE)).as("message %d", i).isEqualTo(MESSAGE);
            assertThat(buffer.flip()).as("message %d, whole", i).isEqualTo(numbered(i));
        }
    }

    /** Starts a send of message {@code sequence} on another thread and checks that it blocks. */
    private static CompletableFuture<Throwable> blockedSend(StreamChannel sender, int sequence, Thread[] thread)
            throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        thread[0] = new Thread(() -> {
            started.countDown();
            Throwable t = catchThrowable(() -> sender.send(numbered(sequence)));
            if (t instanceof InterruptedIOException && !Thread.currentThread().isInterrupted()) {
                t = new AssertionError("the interrupt status was not kept", t);
            }
            outcome.complete(t);
        });
        thread[0].start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(outcome).as("send blocks on a full channel (it must be blocked before the wake-up)").isNotDone();
        return outcome;
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void closeWakesABlockedSenderWhichSentNothingAndTheStreamEndsBetweenFrames(String scheme) throws Exception {
        Pair p = pair(scheme);
        int sent = fill(p.sender);
        CompletableFuture<Throwable> blocked = blockedSend(p.sender, sent, new Thread[1]);
        p.sender.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        receiveInOrder(p.receiver, 0, sent);
        assertThatThrownBy(() -> p.receiver.receive(ByteBuffer.allocate(MESSAGE * 2), PATIENCE))
                .as("after the accepted messages: the end of the stream, not half a frame")
                .isInstanceOf(PeerGoneException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void interruptWakesABlockedSenderWhichSentNothingAndTheChannelGoesOn(String scheme) throws Exception {
        Pair p = pair(scheme);
        int sent = fill(p.sender);
        Thread[] thread = new Thread[1];
        CompletableFuture<Throwable> blocked = blockedSend(p.sender, sent, thread);
        thread[0].interrupt();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        receiveInOrder(p.receiver, 0, sent);
        p.sender.send(numbered(sent + 1), PATIENCE);
        receiveInOrder(p.receiver, sent + 1, sent + 2);
        assertThat(p.receiver.receive(ByteBuffer.allocate(MESSAGE * 2), Duration.ofMillis(200)))
                .as("the interrupted message was never sent").isEqualTo(Receiver.NO_MESSAGE);
    }

    @Test
    void falseAndTimedOutSendsLeaveThePosition() throws Exception {
        Pair p = pair("unix");
        int sent = fill(p.sender);
        ByteBuffer message = numbered(sent);
        message.position(3);
        assertThat(p.sender.trySend(message)).isFalse();
        assertThat(message.position()).isEqualTo(3);
        assertThat(p.sender.send(message, Duration.ofMillis(100))).isFalse();
        assertThat(message.position()).isEqualTo(3);
        receiveInOrder(p.receiver, 0, sent);
        assertThat(p.sender.send(message, PATIENCE)).isTrue();
        assertThat(message.hasRemaining()).isFalse();
        assertThat(p.receiver.receive(ByteBuffer.allocate(MESSAGE * 2), PATIENCE)).isEqualTo(MESSAGE - 3);
    }

    /**
     * A raw peer writes a large frame in pieces with pauses: receives that time out or find a too-small buffer
     * in the middle leave the destination as it was and lose nothing; the message then arrives whole, into the
     * caller's buffer and, as an array, of exactly its size.
     */
    @Test
    void aFrameArrivingInPiecesIsReceivedWholeAndWaitsInTheMiddleLoseNothing() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(names.uniquePath("piece", ".sock"));
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(address);
            StreamChannel channel = names.closeAfter(StreamChannel.connect(address, PATIENCE));
            try (SocketChannel peer = raw.accept()) {
                for (int size : new int[] {200_000, 300}) {
                    byte[] payload = new byte[size];
                    new SplittableRandom(size).nextBytes(payload);
                    ByteBuffer frame = ByteBuffer.allocate(4 + size).putInt(size).put(payload).flip();
                    ByteBuffer destination = ByteBuffer.allocate(size + 10);
                    destination.position(5);
                    writeSome(peer, frame, 2);
                    assertThat(channel.receive(destination, Duration.ofMillis(100))).isEqualTo(Receiver.NO_MESSAGE);
                    assertThat(destination.position()).as("header only").isEqualTo(5);
                    writeSome(peer, frame, 4 + size / 3);
                    assertThat(channel.receive(destination, Duration.ofMillis(100))).isEqualTo(Receiver.NO_MESSAGE);
                    assertThat(channel.tryReceive(destination)).isEqualTo(Receiver.NO_MESSAGE);
                    assertThat(destination.position()).as("a third of the payload").isEqualTo(5);
                    BufferTooSmallException small = (BufferTooSmallException) catchThrowable(
                            () -> channel.receive(ByteBuffer.allocate(size - 1), Duration.ofMillis(100)));
                    assertThat(small).isNotNull();
                    assertThat(small.required()).isEqualTo(size);
                    CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
                        try {
                            while (frame.hasRemaining()) {
                                writeSome(peer, frame, 20_000);
                                Thread.sleep(5);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    if (size > 1000) {
                        assertThat(channel.receive(destination, PATIENCE)).isEqualTo(size);
                        assertThat(destination.position()).isEqualTo(5 + size);
                        assertThat(destination.flip().position(5)).isEqualTo(ByteBuffer.wrap(payload));
                    } else {
                        assertThat(channel.receive(PATIENCE)).as("an array of the message's size").isEqualTo(payload);
                    }
                    rest.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                }
                assertThat(channel.tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
            }
        }
    }

    private static void writeSome(SocketChannel peer, ByteBuffer frame, int bytes) throws Exception {
        ByteBuffer part = frame.duplicate();
        part.limit(Math.min(frame.limit(), frame.position() + bytes));
        while (part.hasRemaining()) {
            peer.write(part);
        }
        frame.position(part.position());
    }
}
