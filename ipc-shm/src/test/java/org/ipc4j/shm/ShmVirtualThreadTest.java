package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.VirtualThreadLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Virtual threads waiting on a shared-memory ring (for a message, or for room) leave the carriers free. A
 * consumer is used by one thread at a time, so the thousand receivers have a ring each; the thousand senders
 * share one full multi-producer ring. Skipped before JDK 21.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmVirtualThreadTest {
    private static final int THREADS = 1000;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsVirtualThreads() {
        VirtualThreadLoad.assumeAvailable();
    }

    private String name(String prefix) {
        String name = names.unique(prefix);
        names.onCleanup(() -> SharedMemory.unlink(name));
        return name;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aThousandBlockedReceiversLeaveTheCarriersFreeAndEachGetsItsMessage() throws Exception {
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1024);
        List<RingProducer> producers = new ArrayList<>();
        List<RingConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            String name = name("vtr" + i + "-");
            producers.add(names.closeAfter(ShmRing.openProducer(name, config, OpenOptions.create())));
            consumers.add(names.closeAfter(ShmRing.openConsumer(name)));
        }
        Set<String> received = ConcurrentHashMap.newKeySet();
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(THREADS, i -> {
            byte[] m = consumers.get(i).receive(Duration.ofSeconds(60));
            if (m != null) {
                received.add(new String(m, StandardCharsets.UTF_8));
            }
        });
        try {
            System.out.println("shm, " + THREADS + " receivers on a ring each: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            for (int i = 0; i < THREADS; i++) {
                producers.get(i).send(bytes("m" + i));
            }
            assertThat(load.join(Duration.ofSeconds(60))).as("every receiver returned").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(received).hasSize(THREADS);
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void aThousandSendersBlockedOnAFullRingLeaveTheCarriersFreeAndNothingIsLost() throws Exception {
        String name = name("vtfull");
        ShmRingConfig config = ShmRingConfig.defaults().capacity(1024).variant(ShmRingConfig.Variant.MULTI_PRODUCER);
        RingProducer producer = names.closeAfter(ShmRing.openProducer(name, config, OpenOptions.create()));
        RingConsumer consumer = names.closeAfter(ShmRing.openConsumer(name));
        int fill = 0;
        while (producer.trySend(bytes("fill" + fill))) {
            fill++;
        }
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(THREADS, i -> producer.send(bytes("s" + i)));
        try {
            System.out.println("shm, " + THREADS + " senders on a full ring: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            Set<String> got = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < THREADS + fill; i++) {
                byte[] m = consumer.receive(Duration.ofSeconds(20));
                assertThat(m).as("message %d of %d", i, THREADS + fill).isNotNull();
                got.add(new String(m, StandardCharsets.UTF_8));
            }
            assertThat(load.join(Duration.ofSeconds(30))).isTrue();
            assertThat(load.failure()).isNull();
            assertThat(got).hasSize(THREADS + fill);
        } finally {
            load.interruptAll();
        }
    }
}
