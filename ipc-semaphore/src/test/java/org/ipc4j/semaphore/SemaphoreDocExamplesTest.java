package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.Sync;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The examples of docs/semaphores.md, as printed there except for unique names (so parallel runs do not
 * collide) and the stand-ins for the application's own work.
 */
@Timeout(60)
class SemaphoreDocExamplesTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private final AtomicInteger rendering = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();

    private void render() throws InterruptedException {
        mostAtOnce.accumulateAndGet(rendering.incrementAndGet(), Math::max);
        Thread.sleep(5);
        rendering.decrementAndGet();
    }

    /** docs/semaphores.md, "A first example", run by several threads at once. */
    @Test
    void firstExampleAllowsAtMostFourRenders() throws Exception {
        String slotsName = names.unique("render");
        names.onCleanup(() -> NamedSemaphore.unlink(slotsName));
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            workers.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int round = 0; round < 10; round++) {
                        // --- as in the doc ---
                        try (NamedSemaphore renderSlots = NamedSemaphore.openOrCreate(slotsName, 4)) {
                            if (!renderSlots.tryAcquire(Duration.ofSeconds(30))) {
                                throw new IllegalStateException("no render slot free for 30 s");
                            }
                            try {
                                render();
                            } finally {
                                renderSlots.release();
                            }
                        }
                        // ---
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start()));
        }
        for (CompletableFuture<Void> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
        assertThat(mostAtOnce.get()).isBetween(1, 4);
        try (NamedSemaphore s = NamedSemaphore.open(slotsName)) {
            assertThat(s.value()).isEqualTo(4);
        }
    }

    /** docs/semaphores.md, "By address". */
    @Test
    void byAddress() throws Exception {
        String name = names.unique("render");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        try (Sync slots = Ipc.openSync("sem:/" + name + "?initial=4")) {
            slots.acquire();
            assertThat(((NamedSemaphore) slots).value()).isEqualTo(3);
            slots.release();
        }
    }

    /** docs/semaphores.md, "In try-with-resources". */
    @Test
    void holdInTryWithResources() throws Exception {
        String name = names.unique("render");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        // --- as in the doc ---
        try (Sync slots = Ipc.openSync("sem:/" + name + "?initial=4");
             Sync.Hold slot = slots.hold(Duration.ofSeconds(30))) {
            if (slot == null) {
                throw new IllegalStateException("no render slot free for 30 s");
            }
            render();
            assertThat(((NamedSemaphore) slots).value()).isEqualTo(3);
        }                                              // the slot is released, then the handle closed
        // ---
        try (NamedSemaphore s = NamedSemaphore.open(name)) {
            assertThat(s.value()).as("the slot is back").isEqualTo(4);
        }
    }

    /** A stand-in for the application's shared state in the mutex example. */
    static final class Ledger {
        final List<String> entries = new ArrayList<>();
        int repairs;

        void repair() {
            repairs++;
        }

        void append(String entry) {
            entries.add(entry);
        }
    }

    /** docs/semaphores.md, "The crash-aware mutex" (the dead-owner path runs in NamedMutexCrashIT). */
    @Test
    void crashAwareMutex() throws Exception {
        String lockName = names.unique("ledger");
        names.onCleanup(() -> NamedMutex.unlink(lockName));
        Ledger ledger = new Ledger();
        String entry = "paid 10";
        // --- as in the doc ---
        try (NamedMutex lock = NamedMutex.openOrCreate(lockName)) {
            lock.acquire();
            try {
                if (lock.ownerDied()) {
                    ledger.repair();   // the previous holder died inside its critical section
                }
                ledger.append(entry);
            } finally {
                lock.release();
            }
        }
        // ---
        assertThat(ledger.entries).containsExactly("paid 10");
        assertThat(ledger.repairs).isZero();
    }

    /** docs/semaphores.md, "The bounded buffer" (BoundedBuffer is the class printed there), in one process. */
    @Test
    void boundedBufferBetweenThreads() throws Exception {
        String name = names.unique("bbdoc");
        names.onCleanup(() -> BoundedBuffer.unlink(name));
        try (BoundedBuffer producerSide = BoundedBuffer.create(name, 4);
                BoundedBuffer consumerSide = BoundedBuffer.open(name, 4)) {
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                try {
                    for (long i = 1; i <= 1000; i++) {
                        producerSide.put(i);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start());
            long sum = 0;
            long previous = 0;
            for (int i = 0; i < 1000; i++) {
                long item = consumerSide.take();
                assertThat(item).isEqualTo(previous + 1);
                previous = item;
                sum += item;
            }
            producer.get(10, TimeUnit.SECONDS);
            assertThat(sum).isEqualTo(1000L * 1001 / 2);
        }
    }

    /**
     * Every line of every Java example in docs/semaphores.md appears in this test or in BoundedBuffer (names
     * of the doc replaced by the tests' unique ones): the printed examples are the ones that run.
     */
    @Test
    void theDocShowsTheCodeTheseTestsRun() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "semaphores.md"));
        Path here = Path.of("src", "test", "java", "org", "ipc4j", "semaphore");
        List<String> tested = new ArrayList<>();
        for (String file : List.of("SemaphoreDocExamplesTest.java", "BoundedBuffer.java")) {
            Files.readAllLines(here.resolve(file)).forEach(l -> tested.add(l.trim()));
        }
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        int blocks = 0;
        while (block.find()) {
            blocks++;
            String code = block.group(1)
                    .replace("\"sem:/render-slots?initial=4\"", "\"sem:/\" + name + \"?initial=4\"")
                    .replace("\"render-slots\"", "slotsName")
                    .replace("\"ledger-lock\"", "lockName");
            for (String line : code.split("\n")) {
                String t = line.trim();
                if (!t.isEmpty() && !t.contains("omitted")) {
                    assertThat(tested).as("docs/semaphores.md line not found in the tests").contains(t);
                }
            }
        }
        assertThat(blocks).isEqualTo(5);
    }
}
