package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sides and sessions of {@code fifo:} in one JVM: role auto, explicit roles, a third opener, and what is left
 * in the file system when the ends close. (Across processes: FifoRendezvousIT.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FifoRendezvousTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** Fails unless neither FIFO nor the lease file of {@code base} exists. */
    static void assertNothingLeft(Path base) {
        List<Path> left = new ArrayList<>();
        for (Path p : new Path[] {FifoChannel.aToB(base), FifoChannel.bToA(base), FifoChannel.lease(base)}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                left.add(p);
            }
        }
        assertThat(left).as("files left behind by the session of " + base).isEmpty();
    }

    private Path base() {
        Path base = names.uniquePath("rdv", "");
        names.deleteAfter(FifoChannel.aToB(base));
        names.deleteAfter(FifoChannel.bToA(base));
        names.deleteAfter(FifoChannel.lease(base));
        return base;
    }

    private static CompletableFuture<Channel> openLater(String address) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open(address);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theFirstOpenerTakesSideAAndTheSecondSideB() throws Exception {
        Path base = base();
        String address = "fifo:" + base + "?timeout=10s";
        CompletableFuture<Channel> first = openLater(address);
        for (int i = 0; i < 500 && !Files.exists(FifoChannel.bToA(base)); i++) {
            Thread.sleep(10);
        }
        try (Channel second = Ipc.open(address); Channel one = first.get(10, TimeUnit.SECONDS)) {
            assertThat(((FifoChannel) one).side()).isEqualTo(Role.A);
            assertThat(((FifoChannel) second).side()).isEqualTo(Role.B);
            one.send(bytes("order 42"));
            assertThat(second.receive(PATIENCE)).isEqualTo(bytes("order 42"));
            second.send(bytes("accepted"));
            assertThat(one.receive(PATIENCE)).isEqualTo(bytes("accepted"));
        }
        assertNothingLeft(base);
    }

    @Test
    void aThirdOpenerAndASideAlreadyHeldAreRefusedAtOnce() throws Exception {
        Path base = base();
        CompletableFuture<Channel> b = openLater("fifo:" + base + "?role=b&timeout=10s");
        try (Channel a = Ipc.open("fifo:" + base + "?role=a&timeout=10s"); Channel bb = b.get(10, TimeUnit.SECONDS)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?timeout=10s")).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("both sides are held");
            assertThatThrownBy(() -> Ipc.open("fifo:" + base + "?role=a&timeout=10s"))
                    .isInstanceOf(LimitReachedException.class).hasMessageContaining("side A is held");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused without waiting").isLessThan(PATIENCE);
            a.send(bytes("still working"));
            assertThat(bb.receive(PATIENCE)).isEqualTo(bytes("still working"));
        }
        assertNothingLeft(base);
    }

    @Test
    void theSessionEndsWhenTheSecondEndClosesAndTheSurvivorIsToldBothWays() throws Exception {
        Path base = base();
        CompletableFuture<Channel> b = openLater("fifo:" + base + "?timeout=10s");
        Channel a = Ipc.open("fifo:" + base + "?timeout=10s");
        Channel bb = b.get(10, TimeUnit.SECONDS);
        try {
            bb.send(bytes("last words"));
            bb.close();
            assertThat(Files.exists(FifoChannel.aToB(base), LinkOption.NOFOLLOW_LINKS)).as("the survivor's session goes on")
                    .isTrue();
            assertThat(a.receive(PATIENCE)).isEqualTo(bytes("last words"));
            assertThatThrownBy(() -> a.receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining(") closed its end");
            assertThatThrownBy(() -> a.send(bytes("anyone?"))).as("the first send after the peer left")
                    .isInstanceOf(PeerGoneException.class).hasMessageContaining(") closed its end");
        } finally {
            a.close();
        }
        assertNothingLeft(base);
    }

    @Test
    void unlinkOnCloseRemovesTheFifosAtOnceAndModeOpenLeavesThem() throws Exception {
        Path base = base();
        CompletableFuture<Channel> b = openLater("fifo:" + base + "?timeout=10s");
        try (Channel a = Ipc.open("fifo:" + base + "?unlink=true&timeout=10s"); Channel bb = b.get(10, TimeUnit.SECONDS)) {
            a.close();
            assertThat(Files.exists(FifoChannel.aToB(base), LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Files.exists(FifoChannel.bToA(base), LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
        assertNothingLeft(base);

        // FIFOs made by someone else (mkfifo in a script), opened with mode=open: the session leaves them
        NamedPipe.create(FifoChannel.aToB(base));
        NamedPipe.create(FifoChannel.bToA(base));
        b = openLater("fifo:" + base + "?mode=open&timeout=10s");
        try (Channel a = Ipc.open("fifo:" + base + "?mode=open&timeout=10s"); Channel bb = b.get(10, TimeUnit.SECONDS)) {
            a.send(bytes("x"));
            assertThat(bb.receive(PATIENCE)).isEqualTo(bytes("x"));
        }
        assertThat(NamedPipe.isFifo(FifoChannel.aToB(base))).isTrue();
        assertThat(NamedPipe.isFifo(FifoChannel.bToA(base))).isTrue();
        assertThat(Files.exists(FifoChannel.lease(base), LinkOption.NOFOLLOW_LINKS)).as("the lease is the session's").isFalse();
    }

    @Test
    void javaOpenTakesTheRoleEnum() throws Exception {
        Path base = base();
        CompletableFuture<FifoChannel> b = CompletableFuture.supplyAsync(() -> {
            try {
                return FifoChannel.open(base, Role.B, OpenOptions.openOrCreate(), PATIENCE, 1024);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (FifoChannel a = FifoChannel.open(base, Role.A, OpenOptions.openOrCreate(), PATIENCE, 1024);
                FifoChannel bb = b.get(10, TimeUnit.SECONDS)) {
            assertThat(a.side()).isEqualTo(Role.A);
            assertThat(bb.side()).isEqualTo(Role.B);
            assertThat(a.maxMessageSize()).isEqualTo(1024);
            assertThat(a.name()).isEqualTo(base.toString());
        }
        assertNothingLeft(base);
    }
}
