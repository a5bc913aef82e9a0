package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ipc4j.mqueue.MessageQueueTest.bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Asynchronous receive through the shared epoll thread. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageQueueAsyncTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private MessageQueue create(String prefix) throws Exception {
        return names.closeAfter(MessageQueue.create(Queues.name(names, prefix), 4, 64));
    }

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ipc4j-mqueue-poller")).count();
    }

    @Test
    void futuresOnManyQueuesCompleteThroughOneSharedThread() throws Exception {
        List<MessageQueue> queues = new ArrayList<>();
        List<CompletableFuture<QueuedMessage>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MessageQueue q = create("async" + i);
            queues.add(q);
            futures.add(q.receiveAsync());
        }
        Thread.sleep(100);
        assertThat(futures).noneMatch(CompletableFuture::isDone);
        assertThat(pollerThreads()).as("one poller thread for all queues, not one per queue").isEqualTo(1);
        for (int i = 0; i < queues.size(); i++) {
            queues.get(i).send(bytes("message " + i), i);
        }
        for (int i = 0; i < futures.size(); i++) {
            QueuedMessage m = futures.get(i).get(5, TimeUnit.SECONDS);
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("message " + i);
            assertThat(m.priority()).isEqualTo(i);
        }
    }

    @Test
    void waitingFuturesCompleteInOrderAndAnAlreadyQueuedMessageCompletesAtOnce() throws Exception {
        MessageQueue q = create("order");
        q.send(bytes("early"), 2);
        assertThat(text(q.receiveAsync().get(5, TimeUnit.SECONDS))).isEqualTo("early");
        CompletableFuture<QueuedMessage> first = q.receiveAsync();
        CompletableFuture<QueuedMessage> second = q.receiveAsync();
        q.send(bytes("a"));
        q.send(bytes("b"));
        assertThat(text(first.get(5, TimeUnit.SECONDS))).isEqualTo("a");
        assertThat(text(second.get(5, TimeUnit.SECONDS))).isEqualTo("b");
    }

    @Test
    void closeFailsWaitingFutures() throws Exception {
        MessageQueue q = create("aclose");
        CompletableFuture<QueuedMessage> f = q.receiveAsync();
        Thread.sleep(50);
        q.close();
        Throwable cause = null;
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            cause = e.getCause();
        }
        assertThat(cause).isInstanceOf(EndpointClosedException.class);
        assertThat(q.receiveAsync()).isCompletedExceptionally();
    }

    @Test
    void aCancelledFutureTakesNoMessage() throws Exception {
        MessageQueue q = create("cancel");
        CompletableFuture<QueuedMessage> f = q.receiveAsync();
        assertThat(f.cancel(false)).isTrue();
        q.send(bytes("for the next receive"));
        Thread.sleep(100);
        assertThat(text(q.receive(Duration.ofSeconds(5)))).isEqualTo("for the next receive");
    }

    @Test
    void executorVariantCompletesOnTheExecutor() throws Exception {
        MessageQueue q = create("exec");
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-executor"));
        try {
            CompletableFuture<String> thread = q.receiveAsync(executor).thenApply(m -> Thread.currentThread().getName());
            q.send(bytes("x"));
            assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("test-executor");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void asyncAndBlockingReceiversShareTheQueueWithoutLoss() throws Exception {
        MessageQueue q = create("mixed");
        int count = 200;
        List<CompletableFuture<QueuedMessage>> futures = new ArrayList<>();
        for (int i = 0; i < count / 2; i++) {
            futures.add(q.receiveAsync());
        }
        CompletableFuture<Integer> blocking = CompletableFuture.supplyAsync(() -> {
            int received = 0;
            try {
                while (q.receive(ByteBuffer.allocate(64), Duration.ofMillis(500)) != -1) {
                    received++;
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return received;
        });
        for (int i = 0; i < count; i++) {
            q.send(bytes("m" + i));
        }
        // The blocking receiver stops after 500 ms without a message: by then every message was taken.
        int blockingDone = blocking.get(20, TimeUnit.SECONDS);
        Thread.sleep(100);
        long asyncDone = futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        int leftover = 0;
        while (q.tryReceive(ByteBuffer.allocate(64)) != -1) {
            leftover++;
        }
        for (CompletableFuture<QueuedMessage> f : futures) {
            f.cancel(false);
        }
        assertThat(asyncDone + blockingDone + leftover).as("every message received exactly once").isEqualTo(count);
    }

    private static String text(QueuedMessage m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
