package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Receiver;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opening, attributes, priorities, the three waiting forms, and waking of waiters, on real kernel queues. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageQueueTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private MessageQueue create(String prefix, int depth, int maxMessageSize) throws Exception {
        return names.closeAfter(MessageQueue.create(Queues.name(names, prefix), depth, maxMessageSize));
    }

    @Test
    void createSetsTheAttributesAndOwnerOnlyModeAndDepthFollowsSends() throws Exception {
        MessageQueue q = create("attr", 5, 100);
        assertThat(q.created()).isTrue();
        assertThat(q.maxMessages()).isEqualTo(5);
        assertThat(q.maxMessageSize()).isEqualTo(100);
        assertThat(q.posixName()).isEqualTo("/" + q.name());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/proc/self/fd/" + q.descriptor()))))
                .as("mode of the new queue").isEqualTo("rw-------");
        assertThat(q.attributes()).isEqualTo(new QueueAttributes(5, 100, 0));
        q.send(bytes("one"));
        q.send(bytes("two"));
        assertThat(q.queuedMessages()).isEqualTo(2);
        assertThat(q.tryReceive(ByteBuffer.allocate(100))).isEqualTo(3);
        assertThat(q.queuedMessages()).isEqualTo(1);
    }

    @Test
    void requestedPermissionsAreSetExactlyDespiteTheUmask() throws Exception {
        String name = Queues.name(names, "perm");
        MessageQueue q = names.closeAfter(MessageQueue.open(name, OpenOptions.create().permissions(0666), 2, 16));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/proc/self/fd/" + q.descriptor()))))
                .isEqualTo("rw-rw-rw-");
    }

    @Test
    void openModesBehaveAsDocumented() throws Exception {
        String name = Queues.name(names, "modes");
        assertThat(MessageQueue.exists(name)).isFalse();
        assertThatThrownBy(() -> MessageQueue.open(name)).isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("/" + name).hasMessageContaining("ENOENT");
        MessageQueue first = names.closeAfter(MessageQueue.openOrCreate(name, 3, 64));
        assertThat(first.created()).isTrue();
        assertThat(MessageQueue.exists("/" + name)).as("name with leading slash").isTrue();
        assertThatThrownBy(() -> MessageQueue.create(name, 3, 64)).isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining("EEXIST").hasMessageContaining("OpenMode.OPEN");
        MessageQueue second = names.closeAfter(MessageQueue.openOrCreate(name, 7, 999));
        assertThat(second.created()).isFalse();
        assertThat(second.maxMessageSize()).as("an existing queue keeps its attributes").isEqualTo(64);
        MessageQueue third = names.closeAfter(MessageQueue.open(name));
        first.send(bytes("shared"));
        assertThat(text(third.receive(Duration.ofSeconds(5)))).isEqualTo("shared");
        assertThat(MessageQueue.unlink(name)).isTrue();
        assertThat(MessageQueue.unlink(name)).as("idempotent").isFalse();
        second.send(bytes("still usable after unlink"));
        assertThat(text(first.receive(Duration.ofSeconds(5)))).isEqualTo("still usable after unlink");
    }

    @Test
    void systemDefaultsAreUsedWhenNoAttributesAreGiven() throws Exception {
        MessageQueue q = create("dflt", 0, 0);
        assertThat(q.maxMessages()).isEqualTo(Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/mqueue/msg_default")).get(0).trim()));
        assertThat((long) q.maxMessageSize())
                .isEqualTo(Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/mqueue/msgsize_default")).get(0).trim()));
    }

    @Test
    void highestPriorityOldestFirstWithItsPriority() throws Exception {
        MessageQueue q = create("prio", 10, 64);
        q.send(bytes("low-1"), 1);
        q.send(bytes("high-1"), 9);
        q.send(bytes("zero"), 0);
        q.send(bytes("high-2"), 9);
        q.send(bytes("max"), MessageQueue.MAX_PRIORITY);
        q.send(bytes("low-2"), 1);
        MessageInfo info = new MessageInfo();
        ByteBuffer buffer = ByteBuffer.allocateDirect(64);
        List<String> order = new ArrayList<>();
        while (q.tryReceive(buffer.clear(), info) != Receiver.NO_MESSAGE) {
            order.add(info.priority() + ":" + text(buffer.flip()));
            assertThat(info.length()).isEqualTo(buffer.limit());
        }
        assertThat(order).containsExactly("32767:max", "9:high-1", "9:high-2", "1:low-1", "1:low-2", "0:zero");
        assertThatThrownBy(() -> q.send(bytes("x"), -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> q.send(bytes("x"), 32768)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32768");
        assertThat(q.receiveMessage(Duration.ofMillis(10))).isNull();
        q.send("bytes".getBytes(StandardCharsets.UTF_8), 4);
        QueuedMessage m = q.receiveMessage();
        assertThat(m).isEqualTo(new QueuedMessage("bytes".getBytes(StandardCharsets.UTF_8), 4));
    }

    @Test
    void heapDirectAndOffsetBuffersAllCarryTheExactBytes() throws Exception {
        MessageQueue q = create("bufs", 10, 256);
        ByteBuffer heap = ByteBuffer.wrap("__heap__".getBytes(StandardCharsets.UTF_8), 2, 4);
        ByteBuffer direct = ByteBuffer.allocateDirect(32).put("..direct".getBytes(StandardCharsets.UTF_8)).flip().position(2);
        q.send(heap);
        q.send(direct);
        assertThat(heap.hasRemaining()).isFalse();
        assertThat(direct.hasRemaining()).isFalse();
        ByteBuffer big = ByteBuffer.allocateDirect(300).position(7);
        assertThat(q.receive(big, Duration.ofSeconds(1))).isEqualTo(4);
        assertThat(big.position()).isEqualTo(11);
        assertThat(text(big.flip().position(7))).isEqualTo("heap");
        ByteBuffer small = ByteBuffer.allocate(20).position(3);
        assertThat(q.receive(small, Duration.ofSeconds(1))).isEqualTo(6);
        assertThat(text(small.flip().position(3))).isEqualTo("direct");
    }

    @Test
    void tooSmallDestinationKeepsTheMessageWithItsPriority() throws Exception {
        MessageQueue q = create("small", 10, 128);
        q.send(bytes("a message of 26 characters"), 3);
        q.send(bytes("next"), 1);
        ByteBuffer tiny = ByteBuffer.allocate(5);
        BufferTooSmallException e = (BufferTooSmallException) catchThrowable(() -> q.receive(tiny, Duration.ofSeconds(1)));
        assertThat(e).isNotNull();
        assertThat(e.required()).isEqualTo(26);
        assertThat(e.available()).isEqualTo(5);
        assertThat(tiny.position()).isZero();
        assertThatThrownBy(() -> q.tryReceive(tiny)).as("still too small").isInstanceOf(BufferTooSmallException.class);
        MessageInfo info = new MessageInfo();
        ByteBuffer enough = ByteBuffer.allocate(26);
        assertThat(q.receive(enough, info)).isEqualTo(26);
        assertThat(info.priority()).isEqualTo(3);
        assertThat(text(enough.flip())).isEqualTo("a message of 26 characters");
        assertThat(text(q.receive(Duration.ofSeconds(1)))).isEqualTo("next");
    }

    @Test
    void closePutsAKeptMessageBackForTheNextOpener() throws Exception {
        String name = Queues.name(names, "requeue");
        MessageQueue first = names.closeAfter(MessageQueue.create(name, 4, 64));
        first.send(bytes("a message of 26 characters"), 7);
        assertThatThrownBy(() -> first.receive(ByteBuffer.allocate(5), Duration.ofSeconds(1)))
                .isInstanceOf(BufferTooSmallException.class);
        assertThat(first.queuedMessages()).as("the kept message left the kernel queue").isZero();
        try (MessageQueue other = MessageQueue.open(name)) {
            other.send(bytes("sent later"), 7);
            other.send(bytes("low"), 0);
        }
        first.close();

        try (MessageQueue again = MessageQueue.open(name)) {
            assertThat(again.queuedMessages()).isEqualTo(3);
            MessageInfo info = new MessageInfo();
            ByteBuffer b = ByteBuffer.allocate(64);
            // Put back at the end of its priority class: behind "sent later", still ahead of priority 0.
            assertThat(again.receive(b, Duration.ofSeconds(1), info)).isEqualTo(10);
            assertThat(text(b.flip())).isEqualTo("sent later");
            b.clear();
            assertThat(again.receive(b, Duration.ofSeconds(1), info)).isEqualTo(26);
            assertThat(info.priority()).isEqualTo(7);
            assertThat(text(b.flip())).isEqualTo("a message of 26 characters");
            assertThat(text(again.receive(Duration.ofSeconds(1)))).isEqualTo("low");
        }
    }

    @Test
    void closeDoesNotWaitWhenTheQueueIsFullAndTheKeptMessageCannotGoBack() throws Exception {
        String name = Queues.name(names, "requefull");
        MessageQueue first = names.closeAfter(MessageQueue.create(name, 1, 64));
        first.send(bytes("kept"), 2);
        assertThatThrownBy(() -> first.receive(ByteBuffer.allocate(2), Duration.ofSeconds(1)))
                .isInstanceOf(BufferTooSmallException.class);
        try (MessageQueue other = MessageQueue.open(name)) {
            other.send(bytes("fills it"), 0);
            long t0 = System.nanoTime();
            first.close(); // logs a warning: the queue is full
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThat(text(other.receive(Duration.ofSeconds(1)))).isEqualTo("fills it");
            assertThat(other.tryReceive(ByteBuffer.allocate(64))).isEqualTo(Receiver.NO_MESSAGE);
        }
    }

    @Test
    void timedAndTryFormsOnEmptyAndFullQueues() throws Exception {
        MessageQueue q = create("timed", 2, 16);
        long start = System.nanoTime();
        assertThat(q.receive(ByteBuffer.allocate(16), Duration.ofMillis(300))).isEqualTo(Receiver.NO_MESSAGE);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(waitedMs).as("a timed receive waits the whole timeout, across slices").isBetween(290L, 3000L);
        start = System.nanoTime();
        assertThat(q.tryReceive(ByteBuffer.allocate(16))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(q.receive(ByteBuffer.allocate(16), Duration.ZERO)).isEqualTo(Receiver.NO_MESSAGE);
        assertThat(q.receive(ByteBuffer.allocate(16), Duration.ofSeconds(-5))).isEqualTo(Receiver.NO_MESSAGE);
        assertThat((System.nanoTime() - start) / 1_000_000).as("non-blocking forms do not wait").isLessThan(200L);
        assertThat(q.trySend(bytes("1"))).isTrue();
        assertThat(q.trySend(bytes("2"), 5)).isTrue();
        assertThat(q.trySend(bytes("3"))).as("full").isFalse();
        ByteBuffer three = bytes("3");
        start = System.nanoTime();
        assertThat(q.send(three, Duration.ofMillis(150))).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(140L, 3000L);
        assertThat(three.position()).as("nothing sent").isZero();
        CompletableFuture<Boolean> blockedSend = CompletableFuture.supplyAsync(() -> {
            try {
                return q.send(bytes("3"), Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertThat(blockedSend).isNotDone();
        assertThat(text(q.receive(Duration.ofSeconds(1)))).as("priority 5 first").isEqualTo("2");
        assertThat(blockedSend.get(5, TimeUnit.SECONDS)).as("room wakes the sender").isTrue();
        assertThat(text(q.receive(Duration.ofSeconds(1)))).isEqualTo("1");
        assertThat(text(q.receive(Duration.ofSeconds(1)))).isEqualTo("3");
    }

    @Test
    void aMessageWakesAWaiterAtOnceNotAtTheEndOfASlice() throws Exception {
        MessageQueue q = create("wake", 2, 16);
        long[] latencies = new long[20];
        for (int i = 0; i < latencies.length; i++) {
            CompletableFuture<Long> receivedAt = CompletableFuture.supplyAsync(() -> {
                try {
                    q.receive(ByteBuffer.allocate(16));
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(7 + i % 23);
            long sentAt = System.nanoTime();
            q.send(bytes("go"));
            latencies[i] = receivedAt.get(5, TimeUnit.SECONDS) - sentAt;
        }
        java.util.Arrays.sort(latencies);
        assertThat(latencies[latencies.length / 2] / 1_000_000).as("median wake-up ms (slice is %d ms)",
                MessageQueue.SLICE_MILLIS).isLessThan(MessageQueue.SLICE_MILLIS / 2);
    }

    @Test
    void closeWakesBlockedReceiverAndSender() throws Exception {
        MessageQueue q = create("close", 1, 16);
        q.send(bytes("fill"));
        MessageQueue other = names.closeAfter(MessageQueue.create(Queues.name(names, "close2"), 1, 16));
        CompletableFuture<Throwable> sender = CompletableFuture.supplyAsync(() -> catchThrowable(() -> q.send(bytes("blocked"))));
        CompletableFuture<Throwable> receiver = CompletableFuture.supplyAsync(
                () -> catchThrowable(() -> other.receive(ByteBuffer.allocate(16))));
        Thread.sleep(150);
        assertThat(sender).isNotDone();
        assertThat(receiver).isNotDone();
        long start = System.nanoTime();
        q.close();
        other.close();
        assertThat(sender.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        assertThat(receiver.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class)
                .hasMessageContaining(other.posixName());
        assertThat((System.nanoTime() - start) / 1_000_000).as("woken within about a slice").isLessThan(1000L);
        assertThat(q.isOpen()).isFalse();
        assertThatThrownBy(q::attributes).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> q.send(bytes("x"), 1)).isInstanceOf(EndpointClosedException.class);
        q.close();
    }

    @Test
    void interruptWakesBlockedSenderAndKeepsTheFlag() throws Exception {
        MessageQueue q = create("intr", 1, 16);
        q.send(bytes("fill"));
        CompletableFuture<Object[]> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Throwable e = catchThrowable(() -> q.send(bytes("blocked")));
            outcome.complete(new Object[] {e, Thread.currentThread().isInterrupted()});
        });
        t.start();
        Thread.sleep(150);
        t.interrupt();
        Object[] r = outcome.get(5, TimeUnit.SECONDS);
        assertThat((Throwable) r[0]).isInstanceOf(InterruptedIOException.class).hasMessageContaining(q.posixName());
        assertThat((Boolean) r[1]).as("interrupt status kept").isTrue();
        assertThat(q.queuedMessages()).as("nothing was sent").isEqualTo(1);
    }

    @Test
    void anAlreadyInterruptedCallerTakesAQueuedMessageButDoesNotWait() throws Exception {
        MessageQueue q = create("preint", 2, 16);
        q.send(bytes("here"));
        Thread.currentThread().interrupt();
        try {
            assertThat(q.receive(ByteBuffer.allocate(16))).isEqualTo(4);
            assertThatThrownBy(() -> q.receive(ByteBuffer.allocate(16))).isInstanceOf(InterruptedIOException.class);
            assertThatThrownBy(() -> q.receive(ByteBuffer.allocate(16), Duration.ofSeconds(10)))
                    .isInstanceOf(InterruptedIOException.class);
            assertThat(q.tryReceive(ByteBuffer.allocate(16))).as("the try form is not a wait").isEqualTo(Receiver.NO_MESSAGE);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void unlinkOnCloseRemovesTheName() throws Exception {
        String name = Queues.name(names, "uoc");
        MessageQueue q = MessageQueue.open(name, OpenOptions.create().unlinkOnClose(true), 2, 16);
        assertThat(MessageQueue.exists(name)).isTrue();
        q.close();
        assertThat(MessageQueue.exists(name)).isFalse();
        q.unlink();
    }

    @Test
    void manyThreadsSendAndReceiveWhileTheQueueIsClosedWithoutCrashOrLeak() throws Exception {
        // Close races with threads inside mq_timedsend/receive: the descriptor must not be closed under them.
        for (int round = 0; round < 5; round++) {
            MessageQueue q = create("race", 4, 32);
            List<CompletableFuture<Throwable>> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean sends = i % 2 == 0;
                workers.add(CompletableFuture.supplyAsync(() -> catchThrowable(() -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(32);
                    while (true) {
                        if (sends) {
                            q.send(bytes("m"));
                        } else {
                            q.receive(b.clear());
                        }
                    }
                })));
            }
            Thread.sleep(30);
            q.close();
            for (CompletableFuture<Throwable> w : workers) {
                assertThat(w.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
            }
            assertThat(openedAs(q.descriptor())).as("descriptor closed").isNotEqualTo(q.posixName());
        }
    }

    @Test
    void nullAndReadOnlyArgumentsAreRejected() throws Exception {
        MessageQueue q = create("args", 2, 16);
        assertThatThrownBy(() -> q.send((ByteBuffer) null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.receive(ByteBuffer.allocate(4).asReadOnlyBuffer(), new MessageInfo()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        assertThatThrownBy(() -> q.receive(ByteBuffer.allocate(4), (Duration) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MessageQueue.create(Queues.name(names, "neg"), -1, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> MessageQueue.open(null)).isInstanceOf(NullPointerException.class);
    }

    /** What descriptor {@code fd} of this process refers to now, or "" if it is closed (even while we look). */
    private static String openedAs(int fd) throws java.io.IOException {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (java.nio.file.NoSuchFileException e) {
            return "";
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String text(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
