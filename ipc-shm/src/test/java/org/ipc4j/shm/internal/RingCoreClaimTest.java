package org.ipc4j.shm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ipc4j.shm.internal.RingLayout.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.shm.SharedMemory;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The multi-producer claim race, made deterministic: a producer that moved the tail and was then held up (here:
 * its second step is simply called later) while the consumer skipped its still-zero header. The producer
 * writes its header by CAS from 0, so it finds the space taken and drops the claim instead of writing a
 * message into space the consumer has already passed (which lost that message).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RingCoreClaimTest {
    private static final int CAPACITY = 4096;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private SharedMemory region;

    private RingCore[] ring(int variant) throws Exception {
        String name = names.unique("claim");
        names.onCleanup(() -> SharedMemory.unlink(name));
        region = SharedMemory.open(name, ringBytes(CAPACITY), OpenOptions.create());
        names.closeAfter(region);
        RingCore.format(region.bytes(), 0, CAPACITY, 512, variant, KIND_RING);
        MappedStore store = (MappedStore) region.bytes();
        RingCore producer = RingCore.attach(store, 0, region.path(), KIND_RING, variant);
        RingCore consumer = RingCore.attach(store, 0, region.path(), KIND_RING, variant);
        assertThat(producer.attachProducer()).isTrue();
        assertThat(consumer.attachConsumer()).isTrue();
        return new RingCore[] {producer, consumer};
    }

    private static void send(RingCore producer, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long at = producer.tryClaim(bytes.length);
        assertThat(at).isGreaterThanOrEqualTo(0);
        producer.put(at, ByteBuffer.wrap(bytes), bytes.length);
        assertThat(producer.tryCommit(at)).isTrue();
    }

    private static String poll(RingCore consumer) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(600);
        int n = consumer.poll(in);
        return n < 0 ? null : new String(in.array(), 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void aClaimTheConsumerSkippedIsDroppedAndNothingIsLost() throws Exception {
        RingCore[] ring = ring(VARIANT_MPSC);
        RingCore producer = ring[0];
        RingCore consumer = ring[1];
        int aligned = align(RECORD_HEADER + 40);
        long reserved = producer.reserve(aligned);
        assertThat(reserved).isZero();
        // the unblock timeout passed (0 here) with the header still zero: the consumer skips the space
        assertThat(consumer.unblock(0)).isTrue();
        long skippedHeader = region.bytes().readVolatileLong(HEADER_LENGTH);
        assertThat((int) skippedHeader).as("turned into padding").isPositive();
        // the held-up producer now finishes its claim: it must find the header taken and write nothing
        assertThat(producer.claimReserved(reserved, aligned, RECORD_HEADER + 40)).isEqualTo(-1);
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH)).isEqualTo(skippedHeader);
        // its caller (send) retries: the message arrives once, after the skipped space
        send(producer, "retried");
        assertThat(poll(consumer)).isEqualTo("retried");
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
    }

    @Test
    void skippingAnUnwrittenClaimAlsoVoidsTheUnwrittenClaimsBehindIt() throws Exception {
        RingCore[] ring = ring(VARIANT_MPSC);
        RingCore producer = ring[0];
        RingCore consumer = ring[1];
        int a = align(RECORD_HEADER + 20);
        int b = align(RECORD_HEADER + 100);
        long first = producer.reserve(a);
        long second = producer.reserve(b);
        send(producer, "committed");
        assertThat(poll(consumer)).as("blocked by the open claims").isNull();
        assertThat(consumer.unblock(0)).isTrue();
        // both held-up producers find their headers taken; neither writes
        assertThat(producer.claimReserved(second, b, RECORD_HEADER + 100)).isEqualTo(-1);
        assertThat(producer.claimReserved(first, a, RECORD_HEADER + 20)).isEqualTo(-1);
        assertThat(poll(consumer)).isEqualTo("committed");
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        send(producer, "next");
        assertThat(poll(consumer)).isEqualTo("next");
    }

    @Test
    void aWrapAroundClaimWhosePaddingWasSkippedGivesUpItsRecordAtTheStart() throws Exception {
        RingCore[] ring = ring(VARIANT_MPSC);
        RingCore producer = ring[0];
        RingCore consumer = ring[1];
        // move to 64 bytes before the end
        for (int i = 0; i < 7; i++) {
            send(producer, "x".repeat(504));
        }
        send(producer, "y".repeat(440));
        while (poll(consumer) != null) {
            // drain
        }
        assertThat(consumer.backlog()).isZero();
        int aligned = align(RECORD_HEADER + 100);
        long reserved = producer.reserve(aligned); // padding of 64 bytes at the end, the record at index 0
        assertThat((int) reserved & (CAPACITY - 1)).isEqualTo(CAPACITY - 64);
        assertThat(consumer.unblock(0)).isTrue(); // sweeps the 64 bytes up to the end
        assertThat(producer.claimReserved(reserved, aligned, RECORD_HEADER + 100)).isEqualTo(-1);
        // the record at index 0 became padding of the claim's size: the consumer passes it without a wait
        assertThat(poll(consumer)).isNull();
        assertThat(consumer.backlog()).isZero();
        send(producer, "after");
        assertThat(poll(consumer)).isEqualTo("after");
    }

    @Test
    void withOneProducerAZeroHeaderIsNeverSkipped() throws Exception {
        RingCore[] ring = ring(VARIANT_SPSC);
        // a single producer writes its header before it publishes the tail; a zero here is no claim
        region.bytes().writeOrderedLong(TAIL_OFFSET, 64);
        assertThat(ring[1].unblock(0)).isFalse();
        assertThat(region.bytes().readVolatileLong(HEADER_LENGTH)).isZero();
    }
}
