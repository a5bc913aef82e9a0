package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full pipe: trySend fails without blocking, timed sends time out, blocked sends wake on close and
 * interrupt, and every accepted message arrives once the peer reads. Unlike the kit's version, this waits
 * until the pipeline (queues, pipe, the peer's reader thread) has stopped moving before it calls it full.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeBackpressureIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private static final byte[] CHUNK = new byte[1024];

    /** Fills with trySend until nothing has fitted for 300 ms; returns how many were accepted. */
    private static long fillUntilSettled(Channel ch) throws Exception {
        long sent = 0;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 300_000_000L) {
            long before = System.nanoTime();
            if (ch.trySend(CHUNK)) {
                sent++;
                quietSince = System.nanoTime();
                assertThat(sent).as("trySend kept succeeding with nobody reading").isLessThan(100_000);
            } else {
                Thread.sleep(5);
            }
            assertThat(System.nanoTime() - before).as("one trySend (ns)").isLessThan(200_000_000L);
        }
        return sent;
    }

    @Test
    void fullFifoRefusesThenDeliversEverything() throws Exception {
        Path base = names.uniquePath("bp", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        CompletableFuture<FifoChannel> bFuture = CompletableFuture.supplyAsync(() -> {
            try {
                return FifoChannel.open(base, FifoChannel.Role.B, OpenOptions.openOrCreate(), Duration.ofSeconds(10), 1 << 16);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (FifoChannel a = FifoChannel.open(base, FifoChannel.Role.A, OpenOptions.openOrCreate(), Duration.ofSeconds(10), 1 << 16);
                FifoChannel b = bFuture.get(10, TimeUnit.SECONDS)) {
            long sent = fillUntilSettled(a);
            assertThat(sent).isPositive();
            long start = System.nanoTime();
            assertThat(a.send(CHUNK, Duration.ofMillis(200))).as("timed send on a full pipe").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            ByteBuffer buffer = ByteBuffer.allocate(b.maxMessageSize());
            long received = 0;
            while (received < sent) {
                buffer.clear();
                assertThat(b.receive(buffer, Duration.ofSeconds(10))).isEqualTo(CHUNK.length);
                received++;
            }
            assertThat(b.receive(buffer, Duration.ofMillis(200))).isEqualTo(Channel.NO_MESSAGE);
            assertThat(a.send(CHUNK, Duration.ofSeconds(5))).as("room again after draining").isTrue();
        }
    }

    @Test
    void blockedSendToAChildThatDoesNotReadWakesOnInterruptAndClose() throws Exception {
        // a framed child that never reads: only this side's queue and the kernel pipe hold messages
        try (ChildProcess child = names.closeAfter(ChildProcess.builder("sleep", "60").framed(true)
                .closeGrace(Duration.ofMillis(200)).start())) {
            Channel ch = child.channel();
            assertThat(fillUntilSettled(ch)).isPositive();
            assertThat(ch.send(CHUNK, Duration.ofMillis(100))).isFalse();

            CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
            Thread sender = new Thread(() -> interrupted.complete(catchThrowable(() -> ch.send(CHUNK))));
            sender.start();
            Thread.sleep(200);
            assertThat(interrupted).isNotDone();
            sender.interrupt();
            assertThat(interrupted.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);

            CompletableFuture<Throwable> closed = CompletableFuture.supplyAsync(() -> catchThrowable(() -> ch.send(CHUNK)));
            Thread.sleep(200);
            assertThat(closed).isNotDone();
            long start = System.nanoTime();
            ch.close();
            assertThat(closed.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close with a stuck writer lingers at most ~2 s")
                    .isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void sendAfterTheChildDiedIsPeerGone() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcessIT.echoChild().start())) {
            Channel ch = child.channel();
            ch.send("x".getBytes());
            ch.receive(Duration.ofSeconds(20));
            child.kill();
            assertThat(child.join(Duration.ofSeconds(10))).isTrue();
            Throwable t = null;
            for (int i = 0; i < 100 && t == null; i++) {
                t = catchThrowable(() -> ch.send(CHUNK, Duration.ofSeconds(1)));
                Thread.sleep(10);
            }
            assertThat(t).as("a send soon learns that nobody reads").isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("the peer no longer reads");
        }
    }
}
