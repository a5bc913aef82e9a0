package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full pipe: trySend fails without blocking, timed sends time out, blocked sends wake on close and
 * interrupt, and every accepted message arrives once the peer reads. Unlike the kit's version, this waits
 * until the pipeline (the pipe, and whatever foreign process sits in it) has stopped moving before it calls it full.
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

    private FifoChannel[] fifoPair() throws Exception {
        Path base = names.uniquePath("bp", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        CompletableFuture<FifoChannel> bFuture = CompletableFuture.supplyAsync(() -> {
            try {
                return FifoChannel.open(base, Role.B, OpenOptions.openOrCreate(), Duration.ofSeconds(10), 1 << 16);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        FifoChannel a = names.closeAfter(FifoChannel.open(base, Role.A, OpenOptions.openOrCreate(), Duration.ofSeconds(10), 1 << 16));
        return new FifoChannel[] {a, names.closeAfter(bFuture.get(10, TimeUnit.SECONDS))};
    }

    /** A sender blocked on a full pipe wakes on interrupt and on close, and nothing of its message is sent. */
    private static void blockedSenderWakesOnInterruptAndClose(Channel ch) throws Exception {
        CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            interrupted.complete(catchThrowable(() -> ch.send(CHUNK)));
            flag.complete(Thread.currentThread().isInterrupted());
        });
        sender.start();
        Thread.sleep(200);
        assertThat(interrupted).as("send blocks on a full pipe (it must be blocked before the interrupt)").isNotDone();
        sender.interrupt();
        assertThat(interrupted.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(flag.get(5, TimeUnit.SECONDS)).as("interrupt status kept").isTrue();

        CompletableFuture<Throwable> closed = CompletableFuture.supplyAsync(() -> catchThrowable(() -> ch.send(CHUNK)));
        Thread.sleep(200);
        assertThat(closed).as("send blocks on a full pipe (it must be blocked before the close)").isNotDone();
        long start = System.nanoTime();
        ch.close();
        assertThat(closed.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close wakes the sender within a poll slice or two")
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aSenderBlockedOnAFullFifoWakesOnInterruptAndCloseAndSendsNothing() throws Exception {
        FifoChannel[] p = fifoPair();
        long sent = fillUntilSettled(p[0]);
        assertThat(sent).isPositive();
        blockedSenderWakesOnInterruptAndClose(p[0]);
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK.length);
        for (long i = 0; i < sent; i++) {
            buffer.clear();
            assertThat(p[1].receive(buffer, Duration.ofSeconds(10))).as("message %d", i).isEqualTo(CHUNK.length);
        }
        assertThatThrownBy(() -> p[1].receive(buffer, Duration.ofSeconds(10))).as("nothing of the woken sends")
                .isInstanceOf(PeerGoneException.class);
    }

    @Test
    void fullFifoRefusesThenDeliversEverything() throws Exception {
        FifoChannel[] p = fifoPair();
        try (FifoChannel a = p[0]; FifoChannel b = p[1]) {
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
        // a framed child that never reads: only the kernel pipe holds messages
        try (ChildProcess child = names.closeAfter(ChildProcess.builder("sleep", "60").framed(true)
                .closeGrace(Duration.ofMillis(200)).start())) {
            Channel ch = child.channel();
            assertThat(fillUntilSettled(ch)).isPositive();
            assertThat(ch.send(CHUNK, Duration.ofMillis(100))).isFalse();
            blockedSenderWakesOnInterruptAndClose(ch);
        }
    }

    /** The reported bug: after the receive saw the child dead, the next send returned normally and its message was lost. */
    @Test
    void theFirstSendAfterAReceiveSawTheChildKilledIsPeerGone() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcessIT.echoChild().start())) {
            Channel ch = child.channel();
            ch.send("x".getBytes());
            assertThat(ch.receive(Duration.ofSeconds(20))).isEqualTo("x".getBytes());
            kill9(child);
            assertThatThrownBy(() -> ch.receive(Duration.ofSeconds(10))).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 137");
            assertThatThrownBy(() -> ch.send(CHUNK)).as("the first send after the receive saw the death")
                    .isInstanceOf(PeerGoneException.class).hasMessageContaining("exited with code 137");
            assertThatThrownBy(() -> ch.trySend(CHUNK)).isInstanceOf(PeerGoneException.class);
        }
    }

    /** Without a receive: once the JDK has reported the exit, the very first send throws too. */
    @Test
    void theFirstSendAfterTheChildIsKnownDeadIsPeerGone() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcessIT.echoChild().start())) {
            Channel ch = child.channel();
            ch.send("x".getBytes());
            assertThat(ch.receive(Duration.ofSeconds(20))).isEqualTo("x".getBytes());
            kill9(child);
            child.process().onExit().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> ch.send(CHUNK, Duration.ofSeconds(1))).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 137");
        }
    }

    /** kill -9 from outside, as an operator or the OOM killer would, then wait until the child is gone. */
    private static void kill9(ChildProcess child) throws Exception {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        assertThat(child.join(Duration.ofSeconds(10))).isTrue();
        assertThat(child.exitCode()).hasValue(137);
    }
}
