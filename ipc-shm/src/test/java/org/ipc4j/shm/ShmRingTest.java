package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.posix.ByteLocks;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.shm.internal.RingLayout;
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

    @Test
    void byteArrayReceivesAllocateExactlyTheMessagesSizeAndKeepTheRules() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4096);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
            assertThat(consumer.maxMessageSize()).isEqualTo(512);
            producer.send("hello".getBytes(StandardCharsets.UTF_8));
            producer.send(new byte[0]);
            producer.send(ByteBuffer.allocateDirect(300).put(299, (byte) 7));
            assertThat(consumer.receive()).asString(StandardCharsets.UTF_8).isEqualTo("hello");
            assertThat(consumer.receive(Duration.ofSeconds(1))).isEmpty();
            byte[] big = consumer.receive();
            assertThat(big).hasSize(300);
            assertThat(big[299]).isEqualTo((byte) 7);
            assertThat(consumer.receive(Duration.ofMillis(20))).as("timeout").isNull();
            consumer.close();
            assertThatThrownBy(() -> consumer.receive()).isInstanceOf(EndpointClosedException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(ShmRingConfig.Variant.class)
    void messagesOfEverySizeWrapAroundInOrder(ShmRingConfig.Variant variant) throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1024).variant(variant);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
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

    @ParameterizedTest
    @EnumSource(ShmRingConfig.Variant.class)
    void sendCopiesFromEveryKindOfBuffer(ShmRingConfig.Variant variant) throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 14).variant(variant);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
            ByteBuffer in = ByteBuffer.allocate(producer.maxMessageSize());
            int[] sizes = {0, 1, 7, 8, 9, 31, 32, 33, 255, 256, 257, 1000};
            for (int kind = 0; kind < 6; kind++) {
                for (int size : sizes) {
                    for (int start : new int[] {0, 1, 3, 8}) {
                        ByteBuffer backing = kind % 2 == 0 ? ByteBuffer.allocateDirect(start + size + 5)
                                : ByteBuffer.allocate(start + size + 5);
                        for (int j = 0; j < backing.capacity(); j++) {
                            backing.put(j, (byte) (j * 7 + size + kind));
                        }
                        backing.position(start).limit(start + size);
                        ByteBuffer out = kind < 2 ? backing
                                : kind < 4 ? backing.slice() : backing.asReadOnlyBuffer();
                        assertThat(producer.trySend(out)).isTrue();
                        assertThat(out.hasRemaining()).isFalse();
                        in.clear();
                        assertThat(consumer.tryReceive(in)).isEqualTo(size);
                        for (int j = 0; j < size; j++) {
                            assertThat(in.get(j)).as("kind %d size %d start %d byte %d", kind, size, start, j)
                                    .isEqualTo((byte) ((start + j) * 7 + size + kind));
                        }
                    }
                }
            }
        }
    }

    @Test
    void fullRingRefusesThenAcceptsAfterReading() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(256);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
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
        try (RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
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
        try (RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
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
            assertThatThrownBy(() -> ShmRingConfig.defaults().capacity(1000)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1000");
        }
    }

    /**
     * The state a consumer killed after releasing records but before publishing {@code head} leaves: the
     * records are all zeros but {@code head} still points at the first. Two data records (released in one
     * batch) and a padding record (the wrap), zeroed through a separate mapping of the file as the dying
     * consumer would have left them.
     */
    @Test
    void aConsumerKilledAfterZeroingARecordButBeforeMovingHeadIsResumedPastIt() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(256).maxMessage(100);
        long data = RingLayout.HEADER_LENGTH;
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                SharedMemory raw = SharedMemory.open(name, OpenOptions.open())) {
            ByteBuffer in = ByteBuffer.allocate(100);
            for (int i = 0; i < 5; i++) { // records of 8 + 40 bytes at 0, 48, 96, 144, 192
                assertThat(producer.trySend(text(String.format("message %d %30s", i, "")))).isTrue();
            }
            try (RingConsumer consumer = ShmRing.openConsumer(name)) {
                for (int i = 0; i < 2; i++) {
                    in.clear();
                    assertThat(consumer.tryReceive(in)).isEqualTo(40);
                }
            }
            // messages 2 and 3 were delivered and zeroed in one batch, and their consumer died before
            // publishing head past them
            assertThat(raw.bytes().readLong(256)).isEqualTo(96);
            for (int at = 96; at < 192; at += 8) {
                raw.bytes().writeLong(data + at, 0L);
            }
            try (RingConsumer consumer = ShmRing.openConsumer(name)) {
                for (int i = 4; i < 5; i++) {
                    in.clear();
                    assertThat(consumer.receive(in, Duration.ofSeconds(2))).isEqualTo(40);
                    assertThat(text(in)).startsWith("message " + i + " ");
                }
            }
            // message 5 does not fit before the end: 16 bytes of padding at 240, the record at 0
            assertThat(producer.trySend(text(String.format("message %d %30s", 5, "")))).isTrue();
            assertThat(raw.bytes().readLong(128)).isEqualTo(240 + 16 + 48);
            // the consumer died releasing the padding record
            raw.bytes().writeLong(data + 240, 0L);
            raw.bytes().writeLong(data + 248, 0L);
            try (RingConsumer consumer = ShmRing.openConsumer(name)) {
                in.clear();
                assertThat(consumer.receive(in, Duration.ofSeconds(2))).isEqualTo(40);
                assertThat(text(in)).startsWith("message 5 ");
                assertThat(consumer.tryReceive(in.clear())).isEqualTo(ShmRing.NO_MESSAGE);
            }
            assertThat(raw.bytes().readLong(256)).isEqualTo(304);
        }
    }

    @Test
    void secondConsumerOrSingleProducerIsRefused() throws Exception {
        String name = name();
        try (RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name)) {
            assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(LimitReachedException.class)
                    .hasMessageContaining("MULTI_PRODUCER");
            assertThatThrownBy(() -> ShmRing.openConsumer(name)).isInstanceOf(LimitReachedException.class);
        }
    }

    @Test
    void multiProducerThreadsEachKeepTheirOrder() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 12).variant(ShmRingConfig.Variant.MULTI_PRODUCER);
        int threads = 3;
        int perThread = 20_000;
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
                RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.open())) {
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
        RingProducer producer = ShmRing.openProducer(name, ShmRingConfig.defaults().capacity(4096), OpenOptions.create());
        RingConsumer consumer = ShmRing.openConsumer(name);
        var view = consumer.bytes();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicInteger returned = new AtomicInteger(Integer.MIN_VALUE);
        Thread waiter = new Thread(() -> {
            try {
                returned.set(consumer.receive(ByteBuffer.allocate(64)));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        waiter.start();
        // it must really be waiting (parked by the wait strategy) before the close, not failed early
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (waiter.getState() != Thread.State.TIMED_WAITING && waiter.getState() != Thread.State.WAITING
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        assertThat(waiter.isAlive()).as("receive is blocked on the empty ring").isTrue();
        assertThat(thrown.get()).isNull();
        consumer.close();
        waiter.join(2000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(returned.get()).as("receive returned instead of throwing").isEqualTo(Integer.MIN_VALUE);
        assertThat(thrown.get()).isInstanceOf(EndpointClosedException.class);
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

    /** The pid of a process that has exited (and been reaped). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.pid();
    }

    @Test
    void aProducerKilledWhileTakingItsSlotDoesNotHoldTheSlot() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4096);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            var bytes = consumer.bytes();
            long slot = RingLayout.PRODUCER_SLOTS_OFFSET;
            // killed between its CAS and its pid store: the slot says "being taken by <dead pid>"
            bytes.writeOrderedLong(slot, RingLayout.CLAIMING_BIT | (1L << 32) | deadPid());
            assertThat(consumer.producerAlive()).isFalse();
            assertThatThrownBy(() -> consumer.receive(ByteBuffer.allocate(8), Duration.ofSeconds(10)))
                    .isInstanceOf(PeerGoneException.class);
            try (RingProducer producer = ShmRing.openProducer(name)) {
                producer.send(text("taken over"));
                ByteBuffer in = ByteBuffer.allocate(64);
                assertThat(consumer.receive(in, Duration.ofSeconds(5))).isEqualTo(10);
            }
            // while the taker lives, the slot is held: with kernel locks, while it holds the slot's lock byte
            bytes.writeOrderedLong(slot, RingLayout.CLAIMING_BIT | (3L << 32) | ProcessHandle.current().pid());
            if (ByteLocks.unavailableReason() == null) {
                try (ByteLocks taker = ByteLocks.open(consumer.path(), null, "a taker")) {
                    assertThat(taker.tryHold(slot)).isTrue();
                    assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(LimitReachedException.class);
                }
                try (RingProducer producer = ShmRing.openProducer(name)) {
                    assertThat(producer.trySend(text("the taker is gone"))).isTrue();
                }
            } else {
                assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(LimitReachedException.class);
                bytes.writeOrderedLong(slot, 3L << 32);
            }
        }
    }

    @Test
    void theBarePidlessClaimMarkerCountsAsAliveOnlyWhileItsHeartbeatIsFreshOrNeverWithKernelLocks() throws Exception {
        String name = name();
        ShmRingConfig config = ShmRingConfig.defaults().capacity(4096);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            var bytes = consumer.bytes();
            long slot = RingLayout.PRODUCER_SLOTS_OFFSET;
            long marker = (1L << 32) | (RingLayout.PID_CLAIMING & 0xFFFF_FFFFL);
            bytes.writeLong(slot + RingLayout.SLOT_HEARTBEAT, System.currentTimeMillis());
            bytes.writeOrderedLong(slot, marker);
            if (ByteLocks.unavailableReason() == null) {
                // with kernel locks only the slot's lock byte counts: a marker nobody holds the lock for is no owner
                assertThat(consumer.producerAlive()).isFalse();
                try (RingProducer producer = ShmRing.openProducer(name)) {
                    assertThat(producer.trySend(text("ok"))).isTrue();
                }
                return;
            }
            assertThatThrownBy(() -> ShmRing.openProducer(name)).isInstanceOf(LimitReachedException.class);
            // a writer killed mid-attach leaves the marker and its heartbeat ages: the slot frees itself
            bytes.writeLong(slot + RingLayout.SLOT_HEARTBEAT, System.currentTimeMillis() - 5_000);
            assertThatThrownBy(() -> consumer.receive(ByteBuffer.allocate(8), Duration.ofSeconds(10)))
                    .isInstanceOf(PeerGoneException.class);
            try (RingProducer producer = ShmRing.openProducer(name)) {
                assertThat(producer.trySend(text("ok"))).isTrue();
            }
        }
    }

    @Test
    void unblockTimeoutBelowOneSecondIsRejected() {
        assertThatThrownBy(() -> ShmRingConfig.defaults().unblockTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> ShmRingConfig.defaults().unblockTimeout(Duration.ofMillis(999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.999S");
        assertThat(ShmRingConfig.defaults().unblockTimeout(Duration.ofSeconds(1)).unblockTimeout())
                .isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> org.ipc4j.api.Ipc.open("shm:" + names.unique("ub") + "?unblock=10ms")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.01S");
        assertThatThrownBy(() -> org.ipc4j.api.Ipc.open("shm:" + names.unique("wt") + "?wait=sometimes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait=sometimes");
    }

    @ParameterizedTest
    @EnumSource(ShmRingConfig.Variant.class)
    void aSendRacingCloseEndsWithEndpointClosedOrCompletes(ShmRingConfig.Variant variant) throws Exception {
        // A large message keeps the sender inside its copy for tens of milliseconds while the consumer waits on
        // the open claim and checks the producer's slot every 10 ms; the close lands in the middle of the copy.
        // Before the fix the consumer skipped the claim at once and the commit failed with IllegalStateException.
        int size = 32 << 20;
        ShmRingConfig config = ShmRingConfig.defaults().capacity(128 << 20).maxMessage(size).variant(variant);
        ByteBuffer message = ByteBuffer.allocateDirect(size);
        ByteBuffer in = ByteBuffer.allocateDirect(size);
        for (int round = 0; round < 2; round++) {
            String name = name();
            RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
            try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.open())) {
                long start = System.nanoTime();
                producer.send(message.clear());
                long copyMillis = Math.max(2, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                assertThat(consumer.receive(in.clear())).isEqualTo(size);
                Thread receiver = new Thread(() -> {
                    try {
                        while (consumer.receive(in.clear(), Duration.ofSeconds(2)) >= 0) {
                            // drain
                        }
                    } catch (Exception e) {
                        // PeerGoneException once the producer is closed and everything is taken
                    }
                });
                receiver.start();
                Thread.sleep(30); // the consumer is waiting on the empty ring
                AtomicReference<Throwable> senderEnd = new AtomicReference<>();
                Thread sender = new Thread(() -> {
                    try {
                        producer.send(message.clear());
                    } catch (Throwable e) {
                        senderEnd.set(e);
                    }
                });
                sender.start();
                Thread.sleep(copyMillis / 2);
                producer.close();
                sender.join(10_000);
                receiver.join(10_000);
                assertThat(sender.isAlive()).isFalse();
                if (senderEnd.get() != null) {
                    assertThat(senderEnd.get()).isInstanceOf(EndpointClosedException.class);
                }
                assertThatThrownBy(() -> producer.send(message.clear())).isInstanceOf(EndpointClosedException.class);
            }
        }
    }

    @Test
    void spinningChannelDeliversAndCloseStillWakesItsReceiver() throws Exception {
        String name = names.unique("spin");
        names.onCleanup(() -> SharedMemory.unlink(name));
        try (org.ipc4j.api.Channel a = org.ipc4j.api.Ipc.open("shm:" + name + "?capacity=64k&role=a&wait=spin");
             org.ipc4j.api.Channel b = org.ipc4j.api.Ipc.open("shm:" + name + "?role=b&wait=spin")) {
            a.send("spun".getBytes(StandardCharsets.UTF_8));
            assertThat(b.receive(Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("spun");
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    b.receive(ByteBuffer.allocate(64));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            waiter.start();
            Thread.sleep(100);
            assertThat(waiter.isAlive()).as("a spinning receiver waits for a message").isTrue();
            b.close();
            waiter.join(5000);
            assertThat(waiter.isAlive()).as("close wakes a spinning receiver").isFalse();
            assertThat(thrown.get()).isInstanceOf(EndpointClosedException.class);
        }
    }

}
