package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.EchoTestApp;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's quick start on a {@code fifo:} address, across two JVMs that share nothing but the address:
 * either program may start first, and the pair runs three times in a row with no clean-up in between and
 * nothing left behind. Also what a survivor and a restarted peer get when one side is killed with SIGKILL.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FifoRendezvousIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** Process 1 of the quick start: sends an order, waits for the reply. */
    public static final class Orderer {
        public static void main(String[] args) throws Exception {
            try (Channel channel = Ipc.open(args[0])) {
                channel.send("order 42".getBytes(StandardCharsets.UTF_8));
                byte[] reply = channel.receive(Duration.ofSeconds(30));   // null on timeout
                System.out.println("reply: " + (reply == null ? null : new String(reply, StandardCharsets.UTF_8)));
            }
        }
    }

    /** Process 2 of the quick start: receives an order, accepts it. */
    public static final class Acceptor {
        public static void main(String[] args) throws Exception {
            try (Channel channel = Ipc.open(args[0])) {
                byte[] order = channel.receive();                          // blocks until a message arrives
                System.out.println("order: " + new String(order, StandardCharsets.UTF_8));
                channel.send("accepted".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private Path base() {
        Path base = names.uniquePath("quick", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        return base;
    }

    /** Starts {@code first}, waits until it holds a side and has made the FIFOs, then starts {@code second}. */
    private static void quickStart(Path base, Class<?> first, Class<?> second) throws Exception {
        String address = "fifo:" + base;
        try (ChildJvm one = ChildJvm.start(first, address)) {
            long end = System.nanoTime() + PATIENCE.toNanos();
            while (!Files.exists(FifoChannel.bToA(base), LinkOption.NOFOLLOW_LINKS)) {
                assertThat(one.isAlive()).as("the first program is waiting for its peer\n" + one.output()).isTrue();
                assertThat(System.nanoTime()).as("the first program made the FIFOs").isLessThan(end);
                Thread.sleep(5);
            }
            try (ChildJvm two = ChildJvm.start(second, address)) {
                assertThat(one.waitFor(PATIENCE)).as(first.getSimpleName() + " exit\n" + one.output()).isZero();
                assertThat(two.waitFor(PATIENCE)).as(second.getSimpleName() + " exit\n" + two.output()).isZero();
                ChildJvm orderer = first == Orderer.class ? one : two;
                ChildJvm acceptor = first == Orderer.class ? two : one;
                assertThat(orderer.output()).contains("reply: accepted");
                assertThat(acceptor.output()).contains("order: order 42");
            }
        }
    }

    @Test
    void theOrdererFirstThreeTimesInARow() throws Exception {
        Path base = base();
        for (int run = 1; run <= 3; run++) {
            quickStart(base, Orderer.class, Acceptor.class);
            FifoRendezvousTest.assertNothingLeft(base);
        }
    }

    @Test
    void theAcceptorFirstThreeTimesInARow() throws Exception {
        Path base = base();
        for (int run = 1; run <= 3; run++) {
            quickStart(base, Acceptor.class, Orderer.class);
            FifoRendezvousTest.assertNothingLeft(base);
        }
    }

    /**
     * A peer killed with SIGKILL: the survivor receives what it sent, then PeerGoneException on receive and on
     * the first send, and lets go of the FIFOs; a restarted peer then finds no partner to talk to (the survivor's
     * end is finished) and times out instead of talking into the void. The survivor's close ends the session.
     */
    @Test
    void theSurvivorOfAKilledPeerIsToldBothWaysAndARestartedPeerDoesNotJoinAFinishedEnd() throws Exception {
        Path base = base();
        String address = "fifo:" + base + "?timeout=30s";
        CompletableFuture<Channel> local = CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open(address);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (ChildJvm echo = ChildJvm.start(EchoTestApp.class, address)) {
            Channel survivor = local.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            try {
                echo.awaitOutput(EchoTestApp.READY, PATIENCE);
                survivor.send("alive?".getBytes(StandardCharsets.UTF_8));
                assertThat(survivor.receive(PATIENCE)).isEqualTo("alive?".getBytes(StandardCharsets.UTF_8));
                echo.killHard();
                assertThatThrownBy(() -> survivor.receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                        .hasMessageContaining("died without closing its end");
                assertThatThrownBy(() -> survivor.send("anyone?".getBytes(StandardCharsets.UTF_8)))
                        .as("the first send after the death").isInstanceOf(PeerGoneException.class)
                        .hasMessageContaining("died without closing its end");
                try (ChildJvm restarted = ChildJvm.start(EchoTestApp.class, "fifo:" + base + "?timeout=1s")) {
                    assertThat(restarted.waitFor(PATIENCE)).as(restarted.output()).isEqualTo(1);
                    assertThat(restarted.output()).contains("OpenTimeoutException");
                }
                assertThat(Files.exists(FifoChannel.lease(base), LinkOption.NOFOLLOW_LINKS))
                        .as("the survivor still holds its side").isTrue();
            } finally {
                survivor.close();
            }
        }
        FifoRendezvousTest.assertNothingLeft(base);
    }
}
