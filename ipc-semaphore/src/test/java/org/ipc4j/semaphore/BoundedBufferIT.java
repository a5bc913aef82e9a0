package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bounded buffer of docs/semaphores.md with three producer and two consumer processes: every item is
 * consumed exactly once, and each consumer sees each producer's items in the order they were put.
 */
@Timeout(120)
class BoundedBufferIT {
    private static final int CAPACITY = 8;
    private static final int PRODUCERS = 3;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = 2000;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void severalProducersAndConsumersEveryItemExactlyOnce() throws Exception {
        String name = names.unique("bbuf");
        names.onCleanup(() -> BoundedBuffer.unlink(name));
        BoundedBuffer buffer = names.closeAfter(BoundedBuffer.create(name, CAPACITY));
        List<ChildJvm> producers = new ArrayList<>();
        List<ChildJvm> consumers = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        try {
            for (int c = 0; c < CONSUMERS; c++) {
                Path out = names.uniquePath("bbout", ".txt");
                outputs.add(out);
                consumers.add(ChildJvm.start(BoundedBufferTestApp.class, "consume", name, Integer.toString(CAPACITY),
                        out.toString()));
            }
            for (int p = 0; p < PRODUCERS; p++) {
                producers.add(ChildJvm.start(BoundedBufferTestApp.class, "produce", name, Integer.toString(CAPACITY),
                        Integer.toString(p + 1), Integer.toString(PER_PRODUCER)));
            }
            for (ChildJvm p : producers) {
                assertThat(p.waitFor(Duration.ofSeconds(90))).as(p.output()).isZero();
            }
            for (int c = 0; c < CONSUMERS; c++) {
                buffer.put(-1); // one end marker per consumer
            }
            for (ChildJvm c : consumers) {
                assertThat(c.waitFor(Duration.ofSeconds(60))).as(c.output()).isZero();
            }
        } finally {
            for (ChildJvm c : producers) {
                c.close();
            }
            for (ChildJvm c : consumers) {
                c.close();
            }
        }
        Set<Long> seen = new HashSet<>();
        List<Long> duplicates = new ArrayList<>();
        int total = 0;
        for (Path out : outputs) {
            Map<Long, Long> lastPerProducer = new HashMap<>();
            for (String line : Files.readAllLines(out)) {
                if (line.isBlank()) {
                    continue;
                }
                long item = Long.parseLong(line);
                total++;
                if (!seen.add(item)) {
                    duplicates.add(item);
                }
                long producer = item / 1_000_000L;
                Long last = lastPerProducer.put(producer, item);
                assertThat(last == null || last < item).as("FIFO per producer: %d after %d", item, last).isTrue();
            }
        }
        assertThat(duplicates).isEmpty();
        assertThat(total).isEqualTo(PRODUCERS * PER_PRODUCER);
        Set<Long> expected = new HashSet<>();
        for (int p = 1; p <= PRODUCERS; p++) {
            for (int i = 0; i < PER_PRODUCER; i++) {
                expected.add(p * 1_000_000L + i);
            }
        }
        assertThat(seen).isEqualTo(expected);
        try (NamedSemaphore full = NamedSemaphore.open("full." + name);
                NamedSemaphore empty = NamedSemaphore.open("empty." + name)) {
            assertThat(full.value()).isZero();
            assertThat(empty.value()).isEqualTo(CAPACITY);
        }
    }
}
