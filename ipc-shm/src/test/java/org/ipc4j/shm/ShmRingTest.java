package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmRingTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String name() {
        String name = names.unique("ring");
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    @ParameterizedTest
    @EnumSource(ShmRingConfig.Variant.class)
    void messagesOfEverySizeWrapAroundInOrder(ShmRingConfig.Variant variant) throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1024).variant(variant);
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, config);
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER)) {
            assertThat(producer.variant()).isEqualTo(variant);
            assertThat(consumer.maxMessageSize()).isEqualTo(128);
            ByteBuffer in = ByteBuffer.allocate(128);
            for (int i = 0; i < 5000; i++) {
                int size = (i * 37) % 129;
                ByteBuffer out = ByteBuffer.allocate(size);
                for (int j = 0; j < size; j++) {
                    out.put(j, (byte) (i + j));
                }
                assertThat(producer.trySend(out)).isTrue();
                assertThat(out.hasRemaining()).isFalse();
                in.clear();
                assertThat(consumer.tryReceive(in)).isEqualTo(size);
                for (int j = 0; j < size; j++) {
                    assertThat(in.get(j)).isEqualTo((byte) (i + j));
                }
            }
            in.clear();
            assertThat(consumer.tryReceive(in)).isEqualTo(ShmRing.NO_MESSAGE);
            assertThat(producer.backlog()).isZero();
        }
    }

    @Test
    void fullRingRefusesThenAcceptsAfterReading() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(256);
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, config);
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER)) {
            int sent = 0;
            while (producer.trySend(ByteBuffer.allocate(24))) {
                sent++;
            }
            assertThat(sent).isEqualTo(256 / 32);
            assertThat(producer.send(ByteBuffer.allocate(24), Duration.ofMillis(50))).isFalse();
            assertThat(consumer.read((region, offset, length) -> assertThat(length).isEqualTo(24), 3)).isEqualTo(3);
            assertThat(producer.trySend(ByteBuffer.allocate(24))).isTrue();
            List<Integer> lengths = new ArrayList<>();
            assertThat(consumer.read((region, offset, length) -> lengths.add(length), 100)).isEqualTo(sent - 3 + 1);
        }
    }

    @Test
    void zeroCopyClaimCommitAndAbort() throws Exception {
        String name = name();
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, ShmRingConfig.defaults().capacity(4096));
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER)) {
            long aborted = producer.tryClaim(16);
            producer.bytes().writeLong(aborted, -1);
            producer.abort(aborted);
            long at = producer.tryClaim(16);
            producer.bytes().writeLong(at, 11);
            AtomicLong seen = new AtomicLong();
            assertThat(consumer.read((r, o, l) -> seen.set(r.readLong(o)), 10)).as("nothing before commit").isZero();
            producer.bytes().writeLong(at + 8, 22);
            producer.commit(at);
            assertThatThrownBy(() -> producer.commit(at)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> producer.commit(12345)).isInstanceOf(IllegalArgumentException.class);
            assertThat(consumer.read((r, o, l) -> seen.set(r.readLong(o) * 100 + r.readLong(o + 8)), 10)).isEqualTo(1);
            assertThat(seen.get()).isEqualTo(11 * 100 + 22);
        }
    }

    @Test
    void badInputLosesNothing() throws Exception {
        String name = name();
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, ShmRingConfig.defaults().capacity(4096));
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER)) {
            ByteBuffer big = ByteBuffer.allocate(513);
            assertThatThrownBy(() -> producer.trySend(big)).isInstanceOf(MessageTooLargeException.class)
                    .hasMessageContaining("513").hasMessageContaining("512");
            assertThat(big.position()).isZero();
            assertThatThrownBy(() -> producer.tryClaim(513)).isInstanceOf(MessageTooLargeException.class);
            assertThat(producer.backlog()).as("nothing written").isZero();
            producer.send(text("hello"));
            assertThatThrownBy(() -> consumer.tryReceive(ByteBuffer.allocate(4)))
                    .isInstanceOf(BufferTooSmallException.class);
            ByteBuffer in = ByteBuffer.allocate(8);
            assertThat(consumer.receive(in, Duration.ofSeconds(1))).isEqualTo(5);
            assertThat(text(in)).isEqualTo("hello");
            assertThatThrownBy(() -> consumer.trySend(text("x"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> producer.tryReceive(in)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> ShmRingConfig.defaults().capacity(1000)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1000");
        }
    }

    @Test
    void secondConsumerOrSingleProducerIsRefused() throws Exception {
        String name = name();
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, ShmRingConfig.defaults().capacity(4096));
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER)) {
            assertThatThrownBy(() -> ShmRing.open(name, ShmRing.Role.PRODUCER)).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("MULTI_PRODUCER");
            assertThatThrownBy(() -> ShmRing.open(name, ShmRing.Role.CONSUMER)).isInstanceOf(LimitReachedException.class);
        }
    }

    @Test
    void multiProducerThreadsEachKeepTheirOrder() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 12).variant(ShmRingConfig.Variant.MULTI_PRODUCER);
        int threads = 3;
        int perThread = 20_000;
        try (ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, config);
                ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER, config, OpenOptions.open())) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    ByteBuffer m = ByteBuffer.allocate(12);
                    try {
                        for (int i = 0; i < perThread; i++) {
                            m.clear();
                            m.putInt(0, id).putLong(4, i);
                            producer.send(m);
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                w.start();
                workers.add(w);
            }
            long[] next = new long[threads];
            int total = 0;
            ByteBuffer in = ByteBuffer.allocate(64);
            while (total < threads * perThread) {
                in.clear();
                assertThat(consumer.receive(in, Duration.ofSeconds(10))).isEqualTo(12);
                int id = in.getInt(0);
                assertThat(in.getLong(4)).isEqualTo(next[id]);
                next[id]++;
                total++;
            }
            for (Thread w : workers) {
                w.join();
            }
        }
    }

    @Test
    void closedRingThrowsAndWakesWaiters() throws Exception {
        String name = name();
        ShmRing producer = ShmRing.create(name, ShmRing.Role.PRODUCER, ShmRingConfig.defaults().capacity(4096));
        ShmRing consumer = ShmRing.open(name, ShmRing.Role.CONSUMER);
        var view = consumer.bytes();
        Thread waiter = new Thread(() -> {
            try {
                consumer.receive(ByteBuffer.allocate(64));
            } catch (EndpointClosedException expected) {
                return;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waiter.start();
        Thread.sleep(100);
        consumer.close();
        waiter.join(2000);
        assertThat(waiter.isAlive()).isFalse();
        assertThatThrownBy(() -> consumer.tryReceive(ByteBuffer.allocate(8))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> view.readLong(0)).isInstanceOf(RuntimeException.class);
        // the producer sees the consumer gone once the ring is full
        assertThatThrownBy(() -> {
            while (producer.trySend(ByteBuffer.allocate(100))) {
                // fill until the full ring makes the producer look at its consumer
            }
        }).isInstanceOf(PeerGoneException.class);
        assertThatThrownBy(() -> producer.send(ByteBuffer.allocate(100))).isInstanceOf(PeerGoneException.class);
        producer.close();
        producer.close();
        assertThatThrownBy(() -> producer.tryClaim(1)).isInstanceOf(EndpointClosedException.class);
    }
}
