package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.EchoTestApp;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ring participants in another PID namespace (two containers sharing {@code /dev/shm}): their pids mean
 * nothing here, their kernel locks do. A live participant there keeps its slot and its claims; one killed with
 * -9 loses them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmNamespaceIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int MAX_PAYLOAD = 200;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void needsPidNamespaces() {
        String reason = ChildJvm.pidNamespaceUnavailableReason();
        assumeTrue(reason == null, () -> "skipped: no PID namespace can be made here: " + reason);
    }

    private String name() {
        String name = names.unique("ns");
        names.onCleanup(() -> SharedMemory.unlink(name));
        names.onCleanup(() -> {
            for (ChildJvm child : children) {
                child.close();
            }
        });
        return name;
    }

    private ChildJvm inOtherNamespace(Class<?> main, String... args) throws Exception {
        ChildJvm child = ChildJvm.startInPidNamespace(main, args);
        children.add(child);
        return child;
    }

    @Test
    void aProducerInAnotherNamespaceKeepsItsSlotAndHalfWrittenClaimUntilKilled() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 14);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            ChildJvm producer = inOtherNamespace(RingProducerTestApp.class, name, "1", "0", "5", "" + MAX_PAYLOAD,
                    "hold");
            ByteBuffer in = ByteBuffer.allocate(MAX_PAYLOAD + TestMessages.OVERHEAD);
            for (long seq = 0; seq < 5; seq++) {
                in.clear();
                int length = consumer.receive(in, PATIENCE);
                assertThat(TestMessages.check(in, length) & 0xFFFF_FFFFL).isEqualTo(seq);
            }
            producer.awaitOutput("HOLDING", PATIENCE);
            assertThat(consumer.producerAlive()).as("alive, though its pid is none of ours").isTrue();
            assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(LimitReachedException.class);
            in.clear();
            assertThat(consumer.receive(in, Duration.ofMillis(1500)))
                    .as("its half-written claim is waited for, not skipped, and no PeerGone\n%s", producer.output())
                    .isEqualTo(ShmRing.NO_MESSAGE);
            producer.killHard();
            in.clear();
            assertThatThrownBy(() -> consumer.receive(in, PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("gone");
            assertThat(consumer.producerAlive()).isFalse();
            try (RingProducer successor = ShmRing.openProducer(name)) {
                assertThat(successor.trySend(ByteBuffer.wrap(new byte[] {42}))).isTrue();
            }
        }
    }

    @Test
    void aConsumerInAnotherNamespaceIsNotDisplacedAndAKilledOneIs() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 14);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create())) {
            ChildJvm consumer = inOtherNamespace(RingConsumerTestApp.class, name, "1000000", "" + MAX_PAYLOAD);
            long end = System.nanoTime() + PATIENCE.toNanos();
            while (!producer.consumerAlive()) {
                assertThat(System.nanoTime()).as("the consumer attaches\n%s", consumer.output()).isLessThan(end);
                Thread.sleep(20);
            }
            Thread.sleep(100);
            assertThat(producer.consumerAlive()).isTrue();
            assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("consumer");
            consumer.killHard();
            assertThat(producer.consumerAlive()).isFalse();
            try (RingConsumer successor = ShmRing.openConsumer(name)) {
                assertThat(producer.consumerAlive()).isTrue();
            }
        }
    }

    @Test
    void aLiveProducersClaimInAnotherNamespaceIsNeverSweptAndAKilledOnesIs() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 14).variant(ShmRingConfig.Variant.MULTI_PRODUCER)
                .unblockTimeout(Duration.ofSeconds(1));
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            ChildJvm reserver = inOtherNamespace(org.ipc4j.shm.internal.ReservingProducerTestApp.class, name);
            reserver.awaitOutput("RESERVED 0 pid 1", PATIENCE);
            try (RingProducer survivor = ShmRing.openProducer(name)) {
                ByteBuffer out = ByteBuffer.allocate(MAX_PAYLOAD + TestMessages.OVERHEAD);
                for (long seq = 0; seq < 20; seq++) {
                    assertThat(survivor.trySend(TestMessages.fill(out, 1, seq, MAX_PAYLOAD))).isTrue();
                }
                ByteBuffer in = ByteBuffer.allocate(MAX_PAYLOAD + TestMessages.OVERHEAD);
                assertThat(consumer.receive(in, Duration.ofMillis(2500)))
                        .as("past the unblock timeout, the live owner's claim is still waited for")
                        .isEqualTo(ShmRing.NO_MESSAGE);
                reserver.killHard();
                for (long seq = 0; seq < 20; seq++) {
                    in.clear();
                    int length = consumer.receive(in, PATIENCE);
                    assertThat(TestMessages.check(in, length)).isEqualTo((1L << 48) | seq);
                }
            }
        }
    }

    @Test
    void aChannelPeerInAnotherNamespaceIsAliveUntilKilled() throws Exception {
        String name = name();
        names.onCleanup(() -> Files.deleteIfExists(ShmChannel.leaseFile(name)));
        try (ShmChannel channel = ShmChannel.open(name, Role.A, ShmRingConfig.defaults().capacity(1 << 14),
                OpenOptions.openOrCreate())) {
            ChildJvm echo = inOtherNamespace(EchoTestApp.class, "shm:" + name + "?role=b");
            echo.awaitOutput(EchoTestApp.READY, PATIENCE);
            channel.send(new byte[] {1, 2, 3});
            ByteBuffer in = ByteBuffer.allocate(16);
            assertThat(channel.receive(in, PATIENCE)).isEqualTo(3);
            Thread.sleep(100);
            assertThat(channel.peerAlive()).as("alive, though its pid is none of ours").isTrue();
            in.clear();
            assertThat(channel.receive(in, Duration.ofMillis(300))).as("no PeerGone while it lives")
                    .isEqualTo(ShmRing.NO_MESSAGE);
            echo.killHard();
            in.clear();
            assertThatThrownBy(() -> channel.receive(in, PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("died");
        }
    }
}
