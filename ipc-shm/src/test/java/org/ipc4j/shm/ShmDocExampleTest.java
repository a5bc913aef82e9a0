package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the examples of docs/shm.md (keep the two in step). The doc's fixed names are replaced by unique ones
 * so parallel builds do not collide; the code is otherwise the same.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShmDocExampleTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void channelExample() throws Exception {
        String orders = names.unique("orders");
        names.onCleanup(() -> SharedMemory.unlink(orders));

        // --- docs/shm.md: "A channel between two processes", process 1
        try (Channel channel = Ipc.open("shm:" + orders + "?capacity=1m")) {   // creates it, takes side A
            // --- process 2 runs concurrently (here: another thread)
            CompletableFuture<String> process2 = CompletableFuture.supplyAsync(() -> {
                try (Channel peer = Ipc.open("shm:" + orders)) {                  // opens it, takes side B
                    byte[] order = peer.receive();
                    peer.send("accepted".getBytes(StandardCharsets.UTF_8));
                    return new String(order, StandardCharsets.UTF_8);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            channel.send("new order 42".getBytes(StandardCharsets.UTF_8));
            byte[] reply = channel.receive(Duration.ofSeconds(5));
            assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("accepted");
            assertThat(process2.get(10, TimeUnit.SECONDS)).isEqualTo("new order 42");
        }
        // nothing to clean up: the last end to close removed the channel
        assertThat(SharedMemory.pathOf(orders)).doesNotExist();
    }

    @Test
    void zeroCopyRingExample() throws Exception {
        String ticks = names.unique("ticks");
        names.onCleanup(() -> SharedMemory.unlink(ticks));
        List<Long> seen = new ArrayList<>();

        // --- docs/shm.md: "Zero-copy ring"
        ShmRingConfig config = ShmRingConfig.defaults()
                .capacity(1 << 20)
                .variant(ShmRingConfig.Variant.MULTI_PRODUCER);
        try (RingConsumer consumer = ShmRing.openConsumer(ticks, config, OpenOptions.create());
                RingProducer producer = ShmRing.openProducer(ticks)) {
            long at = producer.tryClaim(16);               // reserve 16 bytes; -1 if the ring is full
            if (at >= 0) {
                producer.bytes().writeLong(at, 42L);       // write in place
                producer.bytes().writeLong(at + 8, 7L);
                producer.commit(at);                       // publish
            }
            int delivered = consumer.read((region, offset, length) ->
                    seen.add(region.readLong(offset) + region.readLong(offset + 8)), 100);
            assertThat(delivered).isEqualTo(1);
        }
        ShmRing.unlink(ticks);
        assertThat(seen).containsExactly(49L);
    }

    @Test
    void regionExample() throws Exception {
        String counters = names.unique("counters");

        // --- docs/shm.md: "A plain shared region"
        try (SharedMemory region = SharedMemory.open(counters, 4096, OpenOptions.openOrCreate().unlinkOnClose(true))) {
            long hits = region.bytes().addAndGetLong(0, 1);   // atomic across processes
            assertThat(hits).isEqualTo(1);
        }
        assertThat(SharedMemory.pathOf(counters)).doesNotExist();
    }
}
