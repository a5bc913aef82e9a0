package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ipc4j.mqueue.MessageQueueTest.bytes;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.VirtualThreadLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Virtual threads waiting on a message queue park in Java while the shared poller waits in epoll, so they
 * never hold a carrier. A thousand receivers share a few queues: one descriptor per queue and process, not
 * one per receiver (1,000 queues would meet RLIMIT_NOFILE and the per-user queue limits). Skipped before
 * JDK 21.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MessageQueueVirtualThreadTest {
    private static final int RECEIVERS = 1000;
    private static final int QUEUES = 4;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsVirtualThreads() {
        VirtualThreadLoad.assumeAvailable();
    }

    private MessageQueue create(String prefix, int depth) throws Exception {
        return names.closeAfter(MessageQueue.create(Queues.name(names, prefix), depth, 64));
    }

    @Test
    void aThousandBlockedReceiversLeaveTheCarriersFreeAndEachGetsItsMessage() throws Exception {
        List<MessageQueue> queues = new ArrayList<>();
        for (int i = 0; i < QUEUES; i++) {
            queues.add(create("vt" + i, 8));
        }
        Set<String> received = ConcurrentHashMap.newKeySet();
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(RECEIVERS, i -> {
            byte[] m = queues.get(i % QUEUES).receive(Duration.ofSeconds(60));
            if (m != null) {
                received.add(new String(m, StandardCharsets.UTF_8));
            }
        });
        try {
            System.out.println("mq, " + RECEIVERS + " receivers on " + QUEUES + " queues: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            for (int i = 0; i < RECEIVERS; i++) {
                queues.get(i % QUEUES).send(bytes("m" + i)); // blocks while a queue is full: receivers drain it
            }
            assertThat(load.join(Duration.ofSeconds(30))).as("every receiver returned").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(received).hasSize(RECEIVERS);
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void blockedSendersOnAFullQueueLeaveTheCarriersFreeAndNothingIsLost() throws Exception {
        MessageQueue q = create("vtfull", 2);
        q.send(bytes("fill0"));
        q.send(bytes("fill1"));
        int senders = 200;
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(senders, i -> q.send(bytes("s" + i)));
        try {
            System.out.println("mq, " + senders + " senders on a full queue: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            Set<String> got = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < senders + 2; i++) {
                byte[] m = q.receive(Duration.ofSeconds(10));
                assertThat(m).as("message %d of %d", i, senders + 2).isNotNull();
                got.add(new String(m, StandardCharsets.UTF_8));
            }
            assertThat(load.join(Duration.ofSeconds(30))).isTrue();
            assertThat(load.failure()).isNull();
            assertThat(got).hasSize(senders + 2);
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void aTimedOutVirtualReceiverReturnsNullAndLosesNothing() throws Exception {
        MessageQueue q = create("vttimeout", 4);
        long start = System.nanoTime();
        CompletableFuture<byte[]> r = VirtualThreadLoad.callVirtual(() -> q.receive(Duration.ofMillis(120)));
        assertThat(r.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(120));
        q.send(bytes("after"));
        assertThat(new String(q.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("after");
    }

    @Test
    void interruptingAVirtualReceiverEndsItsWait() throws Exception {
        MessageQueue q = create("vtintr", 4);
        Thread[] self = new Thread[1];
        CompletableFuture<byte[]> r = VirtualThreadLoad.callVirtual(() -> {
            self[0] = Thread.currentThread();
            return q.receive();
        });
        Thread.sleep(200);
        self[0].interrupt();
        assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedIOException.class);
    }

    @Test
    void closeWakesAVirtualReceiver() throws Exception {
        MessageQueue q = create("vtclose", 4);
        CompletableFuture<byte[]> r = VirtualThreadLoad.callVirtual(q::receive);
        Thread.sleep(200);
        q.close();
        assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(EndpointClosedException.class);
    }

    @Test
    void asynchronousAndVirtualReceiversShareTheQueue() throws Exception {
        MessageQueue q = create("vtasync", 4);
        CompletableFuture<QueuedMessage> future = q.receiveAsync();
        CompletableFuture<byte[]> virtual = VirtualThreadLoad.callVirtual(q::receive);
        Thread.sleep(200);
        q.send(bytes("one"));
        q.send(bytes("two"));
        Set<String> got = ConcurrentHashMap.newKeySet();
        got.add(new String(future.get(5, TimeUnit.SECONDS).payload(), StandardCharsets.UTF_8));
        got.add(new String(virtual.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertThat(got).containsExactlyInAnyOrder("one", "two");
    }
}
