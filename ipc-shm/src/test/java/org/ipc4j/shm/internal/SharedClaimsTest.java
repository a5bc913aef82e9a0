package org.ipc4j.shm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ipc4j.shm.internal.RingLayout.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.posix.ByteLocks;
import org.ipc4j.shm.RegionAccess;
import org.ipc4j.shm.SharedMemory;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The multi-producer claim race, made deterministic: a producer that moved the tail and was then held up (here:
 * its second step is simply called later) before writing its header. While its owner lives, the consumer
 * leaves such a claim alone, however long it waits (the producer's reservation word names it); once the owner
 * is dead the consumer sweeps the space, but never into a later claim whose owner may still write it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedClaimsTest {
    private static final int CAPACITY = 4096;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private SharedMemory region;
    /** The first producer's kernel locks: closing them is its death, as far as the ring can tell. */
    private ByteLocks firstProducerLocks;

    /** A producer and the consumer of one ring. */
    private record Ring(RingWriter producer, RingReader consumer) {
    }

    private Ring ring(int variant) throws Exception {
        String name = names.unique("claim");
        names.onCleanup(() -> SharedMemory.unlink(name));
        region = SharedMemory.open(name, ringBytes(CAPACITY), OpenOptions.create());
        names.closeAfter(region);
        RingMemory.format(RegionAccess.store(region), 0, CAPACITY, 512, variant, KIND_RING);
        MappedStore store = RegionAccess.store(region);
        RingMemory producerRing = RingMemory.attach(store, 0, region.path(), KIND_RING, variant);
        firstProducerLocks = locks();
        producerRing.liveness(firstProducerLocks);
        RingWriter producer = new RingWriter(producerRing);
        RingMemory consumerRing = RingMemory.attach(store, 0, region.path(), KIND_RING, variant);
        consumerRing.liveness(locks());
        RingReader consumer = new RingReader(consumerRing);
        assertThat(producer.attach()).isTrue();
        assertThat(consumer.attach()).isTrue();
        return new Ring(producer, consumer);
    }

    /**
     * Kernel locks of one more endpoint (each endpoint of a process opens its own, as processes do), or
     * {@code null} where there are none: then the ring judges by pid and start time.
     */
    private ByteLocks locks() throws Exception {
        if (ByteLocks.unavailableReason() != null) {
            return null;
        }
        return names.closeAfter(ByteLocks.open(region.path(), null, "test endpoint"));
    }

    private static void send(RingWriter producer, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long at = producer.tryClaim(bytes.length);
        assertThat(at).isGreaterThanOrEqualTo(0);
        producer.put(at, ByteBuffer.wrap(bytes), bytes.length);
        assertThat(producer.tryCommit(at)).isTrue();
    }

    /** Sends and drains messages until the ring's position is 64 bytes before the end of the data area. */
    private static void moveTo64BeforeTheEnd(RingWriter producer, RingReader consumer) throws Exception {
        for (int i = 0; i < 7; i++) {
            send(producer, "x".repeat(504));
        }
        send(producer, "y".repeat(440));
        while (poll(consumer) != null) {
            // drain
        }
        assertThat(consumer.backlog()).isZero();
    }

    private static String poll(RingReader consumer) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(600);
        return consumer.poll(in) == null ? null : new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
    }

    /** A second producer of the same ring, in another slot. */
    private RingWriter secondProducer() throws Exception {
        RingMemory ring = RingMemory.attach(RegionAccess.store(region), 0, region.path(), KIND_RING, VARIANT_MPSC);
        ring.liveness(locks());
        RingWriter other = new RingWriter(ring);
        assertThat(other.attach()).isTrue();
        return other;
    }

    /**
     * Makes the first producer (slot 0) dead as far as the ring can tell: its kernel locks go, as when its
     * process dies; without kernel locks its slot gets another start time (a reused pid).
     */
    private void kill(int slot) {
        assertThat(slot).isZero();
        if (firstProducerLocks != null) {
            firstProducerLocks.close();
            return;
        }
        long s = PRODUCER_SLOTS_OFFSET + (long) slot * SLOT_LENGTH;
        region.bytes().writeOrderedLong(s + SLOT_START_TIME, region.bytes().readLong(s + SLOT_START_TIME) + 12345);
    }

    @Test
    void aLiveProducersUnwrittenClaimIsNeverSkipped() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        int aligned = align(RECORD_HEADER + 7);
        long reserved = producer.claims.reserve(aligned, true);
        assertThat(reserved).isZero();
        assertThat(region.bytes().readVolatileLong(PRODUCER_SLOTS_OFFSET + SLOT_RESERVATION)).isEqualTo(1);
        // the unblock timeout passed (0 here), the producers are alive: the consumer waits
        assertThat(consumer.unblock(0)).isFalse();
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH)).as("left alone").isZero();
        // the held-up producer finishes: its message arrives
        int index = producer.claims.claimReserved(reserved, aligned, RECORD_HEADER + 7);
        assertThat(index).isZero();
        long payload = HEADER_LENGTH + RECORD_HEADER;
        producer.put(payload, ByteBuffer.wrap("delayed".getBytes(StandardCharsets.UTF_8)), 7);
        assertThat(producer.tryCommit(payload)).isTrue();
        assertThat(poll(consumer)).isEqualTo("delayed");
        assertThat(consumer.backlog()).isZero();
    }

    @Test
    void aDeadProducersUnwrittenClaimIsSweptUpToTheNextLiveClaim() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter doomed = ring.producer();
        RingReader consumer = ring.consumer();
        RingWriter survivor = secondProducer();
        int a = align(RECORD_HEADER + 20);
        long first = doomed.claims.reserve(a, true); // then its process dies before writing the header
        int b = align(RECORD_HEADER + 5);
        long second = survivor.claims.reserve(b, true); // alive, merely slow
        send(secondProducer(), "committed");
        kill(0);
        assertThat(poll(consumer)).as("blocked by the open claims").isNull();
        assertThat(consumer.unblock(Long.MAX_VALUE)).as("a known dead owner needs no timeout").isTrue();
        // only the dead claim's 32 bytes became padding; the survivor's unwritten claim is intact
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH + a)).isZero();
        assertThat(poll(consumer)).as("the survivor's claim still blocks").isNull();
        assertThat(consumer.unblock(0)).isFalse();
        int index = survivor.claims.claimReserved(second, b, RECORD_HEADER + 5);
        survivor.put(HEADER_LENGTH + index + RECORD_HEADER, ByteBuffer.wrap("late!".getBytes(StandardCharsets.UTF_8)), 5);
        assertThat(survivor.tryCommit(HEADER_LENGTH + index + RECORD_HEADER)).isTrue();
        assertThat(poll(consumer)).isEqualTo("late!");
        assertThat(poll(consumer)).isEqualTo("committed");
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        assertThat(first).isZero();
    }

    @Test
    void aRecordAConsumerDiedReleasingIsSweptEvenWhileItsProducerLives() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        send(producer, "first");
        assertThat(region.bytes().readVolatileLong(PRODUCER_SLOTS_OFFSET + SLOT_RESERVATION))
                .as("the name is dropped once the header is written").isZero();
        // the consumer delivered "first", zeroed it and died before moving head: zeros at head, tail beyond
        region.bytes().writeOrderedLong(HEADER_LENGTH + 8, 0L);
        region.bytes().writeOrderedLong(HEADER_LENGTH, 0L);
        assertThat(poll(consumer)).isNull();
        // nobody names the position (the live producer's last claim was written): swept after the timeout
        assertThat(consumer.unblock(Long.MAX_VALUE)).isFalse();
        assertThat(consumer.unblock(0)).isTrue();
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        send(producer, "next");
        assertThat(poll(consumer)).isEqualTo("next");
    }

    private long producerOwner(int slot) {
        return region.bytes().readVolatileLong(PRODUCER_SLOTS_OFFSET + (long) slot * SLOT_LENGTH);
    }

    @Test
    void closingWaitsForANamedClaimInFlightAndThenRefusesNewOnes() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        send(producer, "before");
        // another thread of this producer end is inside a named claim (between naming it and its headers)
        producer.claims.namedClaim = 1;
        Thread closer = new Thread(producer::detach);
        closer.start();
        closer.join(200);
        assertThat(closer.isAlive()).as("close waits for the claim").isTrue();
        assertThat((int) producerOwner(0)).as("the slot still names this process").isNotZero();
        producer.claims.namedClaim = 0;
        closer.join(5000);
        assertThat(closer.isAlive()).isFalse();
        assertThat((int) producerOwner(0)).as("left cleanly").isZero();
        // a claim that starts after the close has begun makes none
        assertThat(producer.tryClaim(8)).isEqualTo(-1);
        assertThat(region.bytes().readVolatileLong(PRODUCER_SLOTS_OFFSET + SLOT_RESERVATION)).isZero();
        assertThat(poll(ring.consumer())).isEqualTo("before");
    }

    @Test
    void aClaimStuckInFlightKeepsTheSlotRatherThanLeaveItsSpaceToTheSweep() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        producer.claims.namedClaim = 1; // a stopped thread, never finishing its claim
        long start = System.nanoTime();
        producer.detach();
        assertThat(System.nanoTime() - start).as("gives up after about a second").isGreaterThan(900_000_000L);
        assertThat((int) producerOwner(0)).as("kept: still this live process").isNotZero();
        producer.claims.namedClaim = 0;
    }

    @Test
    void theNamingRolePassesOnWhenItsThreadHasEnded() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread first = new Thread(() -> {
            send(producer, "first"); // takes the naming role
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        first.start();
        while (producer.backlog() == 0) {
            Thread.onSpinWait();
        }
        // A non-zero word where the next header goes tells the two ways apart: an unnamed claim writes its
        // header by CAS from 0 and gives up; a named one stores it.
        long tail = region.bytes().readVolatileLong(TAIL_OFFSET);
        region.bytes().writeOrderedLong(HEADER_LENGTH + (tail & (CAPACITY - 1)), 12345L);
        assertThat(producer.tryClaim(4)).as("while the first thread lives, this one claims unnamed").isEqualTo(-1);
        done.countDown();
        first.join();
        tail = region.bytes().readVolatileLong(TAIL_OFFSET);
        region.bytes().writeOrderedLong(HEADER_LENGTH + (tail & (CAPACITY - 1)), 12345L);
        assertThat(producer.tryClaim(4)).as("the role passed on: a named claim").isPositive();
    }

    @Test
    void aClaimWhoseOwnerIsUnknownIsSweptAfterTheTimeout() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        producer.claims.reserve(align(RECORD_HEADER + 40), true);
        // the owner died and a restarted producer took its slot, clearing the reservation
        kill(0);
        RingWriter successor = secondProducer(); // takes slot 0 again: the dead owner's slot is free
        assertThat(region.bytes().readVolatileLong(PRODUCER_SLOTS_OFFSET + SLOT_RESERVATION)).isZero();
        assertThat(consumer.unblock(Long.MAX_VALUE)).as("owner unknown: within the timeout, wait").isFalse();
        assertThat(consumer.unblock(0)).as("after the timeout").isTrue();
        send(successor, "after");
        assertThat(poll(consumer)).isEqualTo("after");
        assertThat(consumer.backlog()).isZero();
    }

    @Test
    void aWrapAroundClaimOfADeadProducerIsSweptToTheEnd() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        moveTo64BeforeTheEnd(producer, consumer);
        long reserved = producer.claims.reserve(align(RECORD_HEADER + 100), true); // padding of 64 at the end, record at 0
        assertThat((int) reserved & (CAPACITY - 1)).isEqualTo(CAPACITY - 64);
        kill(0);
        assertThat(consumer.unblock(Long.MAX_VALUE)).isTrue(); // sweeps the 64 bytes up to the end
        assertThat(poll(consumer)).isNull();
        // the record at index 0 is unwritten and its reservation named the padding: owner unknown, timeout
        assertThat(consumer.unblock(Long.MAX_VALUE)).isFalse();
        assertThat(consumer.unblock(0)).isTrue();
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        RingWriter successor = secondProducer();
        send(successor, "after");
        assertThat(poll(consumer)).isEqualTo("after");
    }

    // Unnamed claims: threads that share one producer object with its reserving thread claim without a
    // reservation and write their headers by CAS from 0, so the consumer's sweep after the timeout voids them.

    @Test
    void anUnnamedClaimTheConsumerSweptIsDroppedAndNothingIsLost() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        int aligned = align(RECORD_HEADER + 40);
        long reserved = producer.claims.reserve(aligned, false);
        assertThat(reserved).isZero();
        // the unblock timeout passed (0 here) with the header still zero: the consumer skips the space
        assertThat(consumer.unblock(0)).isTrue();
        long skippedHeader = region.bytes().readVolatileLong(HEADER_LENGTH);
        assertThat((int) skippedHeader).as("turned into padding").isPositive();
        // the held-up producer now finishes its claim: it must find the header taken and write nothing
        assertThat(producer.claims.claimByCas(reserved, aligned, RECORD_HEADER + 40)).isEqualTo(-1);
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH)).isEqualTo(skippedHeader);
        // its caller (send) retries: the message arrives once, after the skipped space
        send(producer, "retried");
        assertThat(poll(consumer)).isEqualTo("retried");
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
    }

    @Test
    void sweepingAnUnnamedClaimAlsoVoidsTheUnnamedClaimsBehindIt() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        int a = align(RECORD_HEADER + 20);
        int b = align(RECORD_HEADER + 100);
        long first = producer.claims.reserve(a, false);
        long second = producer.claims.reserve(b, false);
        send(producer, "committed");
        assertThat(poll(consumer)).as("blocked by the open claims").isNull();
        assertThat(consumer.unblock(0)).isTrue();
        // both held-up producers find their headers taken; neither writes
        assertThat(producer.claims.claimByCas(second, b, RECORD_HEADER + 100)).isEqualTo(-1);
        assertThat(producer.claims.claimByCas(first, a, RECORD_HEADER + 20)).isEqualTo(-1);
        assertThat(poll(consumer)).isEqualTo("committed");
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        send(producer, "next");
        assertThat(poll(consumer)).isEqualTo("next");
    }

    @Test
    void anUnnamedWrapAroundClaimWhosePaddingWasSweptGivesUpItsRecordAtTheStart() throws Exception {
        Ring ring = ring(VARIANT_MPSC);
        RingWriter producer = ring.producer();
        RingReader consumer = ring.consumer();
        moveTo64BeforeTheEnd(producer, consumer);
        int aligned = align(RECORD_HEADER + 100);
        long reserved = producer.claims.reserve(aligned, false); // padding of 64 bytes at the end, the record at index 0
        assertThat((int) reserved & (CAPACITY - 1)).isEqualTo(CAPACITY - 64);
        assertThat(consumer.unblock(0)).isTrue(); // sweeps the 64 bytes up to the end
        assertThat(producer.claims.claimByCas(reserved, aligned, RECORD_HEADER + 100)).isEqualTo(-1);
        // the record at index 0 became padding of the claim's size: the consumer passes it without a wait
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        send(producer, "after");
        assertThat(poll(consumer)).isEqualTo("after");
    }

    @Test
    void withOneProducerAZeroHeaderIsNeverSkipped() throws Exception {
        Ring ring = ring(VARIANT_SPSC);
        // a single producer writes its header before it publishes the tail; a zero here is no claim
        region.bytes().writeOrderedLong(TAIL_OFFSET, 64);
        assertThat(ring.consumer().unblock(0)).isFalse();
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH)).isZero();
    }
}
