package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.shm.internal.Doorbell;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel doorbell across real processes: a waiting end sleeps in a shared futex (seen in
 * /proc/PID/task/TID/syscall), is woken by the other process's commit or drain, costs (almost) no processor
 * time while it sleeps, and still ends its wait on close, interrupt, deadline and peer death. The same with
 * the doorbell turned off (park slices), and between a process with and one without.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShmDoorbellIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final long SLEEP_PATIENCE_MILLIS = 10_000;
    private static final List<String> NO_DOORBELL = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-Dipc4j.shm.doorbell=false");

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private final List<ChildJvm> children = new ArrayList<>();
    private final long self = ProcessHandle.current().pid();

    @BeforeEach
    void linuxWithDoorbell() {
        assumeTrue(Doorbell.AVAILABLE, "no doorbell here: " + Doorbell.unavailableReason());
    }

    private String name() {
        String name = names.unique("db");
        names.onCleanup(() -> SharedMemory.unlink(name));
        names.onCleanup(() -> {
            for (ChildJvm child : children) {
                child.close();
            }
        });
        return name;
    }

    private ChildJvm child(List<String> options, String... args) throws Exception {
        ChildJvm child = ChildJvm.start(options, DoorbellTestApp.class, args);
        children.add(child);
        return child;
    }

    private static ShmRingConfig config(ShmRingConfig.Variant variant) {
        return ShmRingConfig.defaults().capacity(1 << 12).variant(variant);
    }

    /** Processor time of one thread over {@code millis}, as a fraction of a core. */
    private static double threadLoad(long pid, long tid, long millis) throws Exception {
        long cpu0 = ProcTasks.threadCpuNanos(pid, tid);
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long cpu1 = ProcTasks.threadCpuNanos(pid, tid);
        return (cpu1 - cpu0) / (double) (System.nanoTime() - t0);
    }

    private static double processLoad(long pid, long millis) throws Exception {
        long cpu0 = ProcTasks.processCpuNanos(pid);
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long cpu1 = ProcTasks.processCpuNanos(pid);
        return (cpu1 - cpu0) / (double) (System.nanoTime() - t0);
    }

    @Test
    void aReceiverAsleepInTheKernelCostsNothingAndWakesOnAMessageFromAnotherJvm() throws Exception {
        String name = name();
        try (RingProducer producer = ShmRing.openProducer(name, config(ShmRingConfig.Variant.SINGLE_PRODUCER),
                OpenOptions.create())) {
            ChildJvm receiver = child(ChildJvm.DEFAULT_JVM_OPTIONS, "receive", name);
            receiver.awaitOutput("READY", PATIENCE);
            long tid = ProcTasks.awaitSharedFutexWait(receiver.pid(), DoorbellTestApp.WAITER, SLEEP_PATIENCE_MILLIS);
            Thread.sleep(1200); // past the first second of the wait (liveness checks every 10 ms) and start-up
            double thread = threadLoad(receiver.pid(), tid, 1000);
            double process = processLoad(receiver.pid(), 1000);
            System.out.printf("idle waiting end with the doorbell: waiting thread %.3f%% of a core, whole JVM %.2f%%%n",
                    100 * thread, 100 * process);
            assertThat(thread).as("processor time of the sleeping thread").isLessThan(0.01);
            assertThat(process).as("processor time of the whole idle child JVM").isLessThan(0.05);
            assertThat(receiver.output()).as("nothing arrived").doesNotContain("GOT");
            ProcTasks.awaitSharedFutexWait(receiver.pid(), DoorbellTestApp.WAITER, SLEEP_PATIENCE_MILLIS);
            producer.send("hello".getBytes());
            receiver.awaitOutput("GOT 5", PATIENCE);
            assertThat(receiver.waitFor(PATIENCE)).as(receiver.output()).isZero();
        }
    }

    /** Producers asleep on a full ring (one, or two processes on a multi-producer ring) wake as it drains. */
    @ParameterizedTest
    @EnumSource(ShmRingConfig.Variant.class)
    void sendersAsleepOnAFullRingWakeWhenTheConsumerDrains(ShmRingConfig.Variant variant) throws Exception {
        String name = name();
        int more = 20;
        try (RingConsumer consumer = ShmRing.openConsumer(name, config(variant), OpenOptions.create())) {
            List<ChildJvm> senders = new ArrayList<>();
            int queued = 0;
            int count = variant == ShmRingConfig.Variant.MULTI_PRODUCER ? 2 : 1;
            for (int i = 0; i < count; i++) {
                ChildJvm sender = child(ChildJvm.DEFAULT_JVM_OPTIONS, "fill", name, "" + more);
                sender.awaitOutput("FULL", PATIENCE);
                ProcTasks.awaitSharedFutexWait(sender.pid(), DoorbellTestApp.WAITER, SLEEP_PATIENCE_MILLIS);
                String out = sender.output();
                queued += Integer.parseInt(out.substring(out.indexOf("FULL ") + 5).strip().split("\\s")[0]);
                senders.add(sender);
            }
            assertThat(queued).as("the first filled the ring").isPositive();
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            for (int i = 0; i < queued + count * more; i++) {
                in.clear();
                assertThat(consumer.receive(in, PATIENCE)).as("message %d", i).isEqualTo(64);
            }
            for (ChildJvm sender : senders) {
                sender.awaitOutput("SENT", PATIENCE);
                assertThat(sender.waitFor(PATIENCE)).as(sender.output()).isZero();
            }
        }
    }

    /** Runs {@code wait} on a thread named {@code threadName}, returns once that thread sleeps in the futex. */
    private CompletableFuture<Object> asleep(String threadName, Waiting wait) throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(wait.run());
            } catch (Throwable t) {
                result.complete(t);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        names.onCleanup(thread::interrupt);
        ProcTasks.awaitSharedFutexWait(self, threadName, SLEEP_PATIENCE_MILLIS);
        return result;
    }

    interface Waiting {
        Object run() throws Exception;
    }

    @Test
    void closeInterruptAndDeadlineEndAFutexSleepPromptly() throws Exception {
        String name = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.SINGLE_PRODUCER);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create())) {
            RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.open());
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            CompletableFuture<Object> closed = asleep("db-close", () -> consumer.receive(in));
            long t0 = System.nanoTime();
            consumer.close();
            assertThat(closed.get(2, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
            long closeMillis = (System.nanoTime() - t0) / 1_000_000;

            RingConsumer second = ShmRing.openConsumer(name, config, OpenOptions.open());
            names.closeAfter(second);
            Thread[] holder = new Thread[1];
            CompletableFuture<Object> interrupted = asleep("db-interrupt", () -> {
                holder[0] = Thread.currentThread();
                return second.receive(in);
            });
            t0 = System.nanoTime();
            holder[0].interrupt();
            assertThat(interrupted.get(2, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
            long interruptMillis = (System.nanoTime() - t0) / 1_000_000;

            t0 = System.nanoTime();
            CompletableFuture<Object> timed = asleep("db-deadline", () -> second.receive(in, Duration.ofMillis(700)));
            assertThat(timed.get(5, TimeUnit.SECONDS)).isEqualTo(ShmRing.NO_MESSAGE);
            long deadlineMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(deadlineMillis).as("not before the deadline").isGreaterThanOrEqualTo(700);
            System.out.printf("futex sleep ended by close after %d ms, interrupt after %d ms, a 700 ms deadline after"
                    + " %d ms%n", closeMillis, interruptMillis, deadlineMillis);
        }
    }

    @Test
    void closeOfASenderAsleepOnAFullRingWakesIt() throws Exception {
        String name = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.MULTI_PRODUCER);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.open());
            ByteBuffer message = ByteBuffer.allocate(64);
            while (producer.trySend(message.clear())) {
                assertThat(consumer.backlog()).isLessThanOrEqualTo(consumer.capacity());
            }
            CompletableFuture<Object> closed = asleep("db-send-close", () -> {
                producer.send(message.clear());
                return "sent";
            });
            producer.close();
            assertThat(closed.get(2, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        }
    }

    /** A peer that closes rings the doorbell: an end asleep for over a second (checks every 100 ms) learns at once. */
    @Test
    void aPeerThatClosesWakesTheSleepingEnd() throws Exception {
        String name = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.SINGLE_PRODUCER);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.open());
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            CompletableFuture<Object> receive = asleep("db-peer-close", () -> consumer.receive(in));
            Thread.sleep(1500);
            long t0 = System.nanoTime();
            producer.close();
            assertThat(receive.get(5, TimeUnit.SECONDS)).isInstanceOf(PeerGoneException.class)
                    .asString().contains("gone");
            System.out.printf("a receiver asleep for 1.5 s saw its producer close after %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** A peer killed with -9 while this end sleeps: the liveness check at the end of a futex slice reports it. */
    @Test
    void aPeerKilledWhileTheOtherEndSleepsIsReported() throws Exception {
        String name = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.SINGLE_PRODUCER);
        try (RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.create())) {
            ChildJvm producer = child(ChildJvm.DEFAULT_JVM_OPTIONS, "hold", name, "producer");
            producer.awaitOutput("ATTACHED", PATIENCE);
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            CompletableFuture<Object> receive = asleep("db-peer-rx", () -> consumer.receive(in));
            producer.killHard();
            assertThat(receive.get(5, TimeUnit.SECONDS)).isInstanceOf(PeerGoneException.class)
                    .asString().contains("gone");
        }
        String other = name();
        try (RingProducer producer = ShmRing.openProducer(other, config, OpenOptions.create())) {
            ChildJvm consumer = child(ChildJvm.DEFAULT_JVM_OPTIONS, "hold", other, "consumer");
            consumer.awaitOutput("ATTACHED", PATIENCE);
            ByteBuffer message = ByteBuffer.allocate(64);
            while (producer.trySend(message.clear())) {
                assertThat(producer.backlog()).isLessThanOrEqualTo(producer.capacity());
            }
            CompletableFuture<Object> send = asleep("db-peer-tx", () -> {
                producer.send(message.clear());
                return "sent";
            });
            consumer.killHard();
            assertThat(send.get(5, TimeUnit.SECONDS)).isInstanceOf(PeerGoneException.class)
                    .asString().contains("gone");
        }
    }

    /**
     * Without the doorbell (as where no futex can be used) a receiver parks in slices and still gets its
     * message; a sender that does not ring still reaches a receiver asleep on the doorbell, at the end of its
     * bounded sleep.
     */
    @Test
    void withoutTheDoorbellWaitingStillWorksAndMixesWithDoorbellProcesses() throws Exception {
        String name = name();
        try (RingProducer producer = ShmRing.openProducer(name, config(ShmRingConfig.Variant.SINGLE_PRODUCER),
                OpenOptions.create())) {
            ChildJvm receiver = child(NO_DOORBELL, "receive", name);
            receiver.awaitOutput("READY", PATIENCE);
            Thread.sleep(500);
            long tid = ProcTasks.tid(receiver.pid(), DoorbellTestApp.WAITER);
            assertThat(tid).isPositive();
            assertThat(ProcTasks.inSharedFutexWait(receiver.pid(), tid)).as("parks, no shared futex").isFalse();
            System.out.printf("idle waiting end without the doorbell (park slices): waiting thread %.2f%% of a core%n",
                    100 * threadLoad(receiver.pid(), tid, 1000));
            producer.send("hello".getBytes());
            receiver.awaitOutput("GOT 5", PATIENCE);
            assertThat(receiver.waitFor(PATIENCE)).as(receiver.output()).isZero();
        }
        String other = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.SINGLE_PRODUCER);
        try (RingConsumer consumer = ShmRing.openConsumer(other, config, OpenOptions.create())) {
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            CompletableFuture<Object> receive = asleep("db-mixed", () -> consumer.receive(in, PATIENCE));
            ChildJvm sender = child(NO_DOORBELL, "send", other);
            assertThat(sender.waitFor(PATIENCE)).as(sender.output()).isZero();
            assertThat(receive.get(5, TimeUnit.SECONDS)).isEqualTo(5);
        }
        // a process without the asymmetric barrier rings with a fence of its own (and parks itself)
        String third = name();
        try (RingConsumer consumer = ShmRing.openConsumer(third, config, OpenOptions.create())) {
            ByteBuffer in = ByteBuffer.allocate(consumer.maxMessageSize());
            CompletableFuture<Object> fenced = asleep("db-fenced", () -> consumer.receive(in, PATIENCE));
            List<String> noBarrier = new ArrayList<>(ChildJvm.DEFAULT_JVM_OPTIONS);
            noBarrier.add("-Dipc4j.shm.membarrier=false");
            ChildJvm fencing = child(noBarrier, "send", third);
            assertThat(fencing.waitFor(PATIENCE)).as(fencing.output()).isZero();
            assertThat(fenced.get(5, TimeUnit.SECONDS)).isEqualTo(5);
        }
    }

    /** On JDK 21+: a virtual thread must not hold its carrier in a futex wait; it parks, and still gets its message. */
    @Test
    void aVirtualThreadParksInsteadOfSleepingInTheKernel() throws Exception {
        java.lang.reflect.Method ofVirtual;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "no virtual threads on this JDK");
            return;
        }
        String name = name();
        ShmRingConfig config = config(ShmRingConfig.Variant.SINGLE_PRODUCER);
        try (RingProducer producer = ShmRing.openProducer(name, config, OpenOptions.create());
             RingConsumer consumer = ShmRing.openConsumer(name, config, OpenOptions.open())) {
            CompletableFuture<Object> result = new CompletableFuture<>();
            Runnable receive = () -> {
                try {
                    boolean usable = Doorbell.usableByCurrentThread();
                    result.complete(usable ? "doorbell used on a virtual thread" : consumer.receive(
                            ByteBuffer.allocate(consumer.maxMessageSize()), PATIENCE));
                } catch (Throwable t) {
                    result.complete(t);
                }
            };
            Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class)
                    .invoke(ofVirtual.invoke(null), receive);
            Thread.sleep(500);
            try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
                    java.nio.file.Path.of("/proc/self/task"))) {
                for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                    long tid = Long.parseLong(task.getFileName().toString());
                    assertThat(ProcTasks.inSharedFutexWait(self, tid)).as("thread %d in a shared futex wait", tid)
                            .isFalse();
                }
            }
            producer.send("hello".getBytes());
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        }
    }

    @Test
    void capabilitySaysWhichWaitingIsInUse() {
        assertThat(Ipc.capability("shm").reason()).contains("kernel doorbell (Linux shared futex)");
    }
}
