package org.ipc4j.mqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the benchmark relies on (blocking send and receive of direct buffers allocate nothing) and that
 * signals arriving during a wait (EINTR) neither fail the call nor stretch or shorten its timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageQueueHotPathTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    interface Pthreads extends Library {
        long pthread_self();

        int pthread_kill(long thread, int signal);
    }

    @Test
    void blockingSendAndReceiveOfDirectBuffersAllocateNothing() throws Exception {
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "alloc"), 4, 256));
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        ByteBuffer in = ByteBuffer.allocateDirect(256);
        MessageInfo info = new MessageInfo();
        assertThat(allocatedBy(() -> roundTrip(q, out, in, info))).as("bytes allocated by 10,000 send+receive pairs")
                .isLessThan(10_000L);
    }

    @Test
    void aChannelRoundTripAllocatesNothingSoItNeverProbesTheLeasePerMessage() throws Exception {
        // A probe of the lease allocates (file locks): an allocation-free loop proves there is none per message.
        String name = Queues.channelName(names, "challoc");
        MessageQueueChannel a = names.closeAfter(MessageQueueChannel.open(name, org.ipc4j.api.Role.AUTO,
                org.ipc4j.api.OpenOptions.openOrCreate(), 4, 256));
        MessageQueueChannel b = names.closeAfter(MessageQueueChannel.open(name));
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        ByteBuffer in = ByteBuffer.allocateDirect(256);
        assertThat(allocatedBy(() -> {
            out.clear().limit(48);
            a.send(out);
            b.receive(in.clear());
            out.clear().limit(16);
            b.send(out);
            if (a.receive(in.clear()) != 16) {
                throw new AssertionError("lost the reply");
            }
        })).as("bytes allocated by 10,000 channel round trips").isLessThan(10_000L);
    }

    interface Step {
        void run() throws Exception;
    }

    /** Bytes this thread allocates running {@code step} 10,000 times, after 30,000 runs for the JIT. */
    private static long allocatedBy(Step step) throws Exception {
        // Reflection: the test sources are compiled inside the module, which does not read java.management.
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        java.lang.reflect.Method allocatedBytes;
        try {
            allocatedBytes = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            allocatedBytes = null;
        }
        assumeTrue(allocatedBytes != null, "no per-thread allocation counter in this JVM");
        for (int i = 0; i < 30_000; i++) { // let the JIT compile the path
            step.run();
        }
        long id = Thread.currentThread().getId();
        long before = (Long) allocatedBytes.invoke(threads, id);
        for (int i = 0; i < 10_000; i++) {
            step.run();
        }
        return (Long) allocatedBytes.invoke(threads, id) - before;
    }

    private static void roundTrip(MessageQueue q, ByteBuffer out, ByteBuffer in, MessageInfo info) throws Exception {
        out.clear().limit(48);
        q.send(out, 3);
        in.clear();
        q.receive(in, info);
        if (info.length() != 48 || info.priority() != 3) {
            throw new AssertionError(info.toString());
        }
    }

    @Test
    void signalsDuringAWaitAreRetriedWithTheRemainingTime() throws Exception {
        Pthreads pthreads = Native.load("c", Pthreads.class);
        MessageQueue q = names.closeAfter(MessageQueue.create(Queues.name(names, "eintr"), 2, 16));
        AtomicLong tid = new AtomicLong();
        AtomicInteger phase = new AtomicInteger(); // 0: in the timed receive, 1: in the untimed one, 2: done
        CountDownLatch mayExit = new CountDownLatch(1);
        CompletableFuture<long[]> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            tid.set(pthreads.pthread_self());
            try {
                long start = System.nanoTime();
                int timedOut = q.receive(ByteBuffer.allocate(16), Duration.ofMillis(600));
                long elapsed = System.nanoTime() - start;
                phase.set(1);
                int received = q.receive(ByteBuffer.allocate(16), Duration.ofSeconds(20));
                outcome.complete(new long[] {timedOut, elapsed, received});
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            } finally {
                phase.set(2);
                // Stay alive until the signalling stops: a signal to an exited thread's id is undefined.
                awaitQuietly(mayExit);
            }
        }, "eintr-waiter");
        waiter.start();
        int[] signals = new int[2];
        try {
            while (tid.get() == 0) {
                Thread.onSpinWait();
            }
            // SIGPIPE has a do-nothing handler in the JVM: delivering it to the waiting thread interrupts its
            // system call (EINTR, or a transparent restart) without any other effect.
            boolean sent = false;
            int current;
            while ((current = phase.get()) < 2) {
                if (pthreads.pthread_kill(tid.get(), 13) == 0) {
                    signals[current]++;
                }
                if (current == 1 && signals[1] >= 10 && !sent) {
                    q.send(MessageQueueTest.bytes("after signals"));
                    sent = true;
                }
                Thread.sleep(5);
            }
        } finally {
            mayExit.countDown();
            waiter.join(10_000);
        }
        long[] r = outcome.get(1, TimeUnit.SECONDS);
        assertThat(signals[0]).as("signals during the timed receive").isGreaterThan(5);
        assertThat(r[0]).as("the timed receive timed out, not failed").isEqualTo(MessageQueue.NO_MESSAGE);
        assertThat(r[1] / 1_000_000).as("ms waited despite the signals").isBetween(590L, 3000L);
        assertThat(r[2]).as("the later message is received").isEqualTo("after signals".length());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
