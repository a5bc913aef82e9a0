package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.VirtualThreadLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Virtual threads reading a FIFO or a child's pipe park in Java while the shared poller waits in epoll for
 * them, so they never hold a carrier: a thousand receivers on one end (they take turns on the end's lock, one
 * at a time waits for data). Skipped before JDK 21.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipeVirtualThreadIT {
    private static final int RECEIVERS = 1000;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsVirtualThreads() {
        VirtualThreadLoad.assumeAvailable();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record FifoEnds(Receiver in, Sender out) {
    }

    /** A FIFO with both ends open in this process. */
    private FifoEnds fifo() throws Exception {
        Path path = names.uniquePath("vt", ".fifo");
        NamedPipe.create(path);
        CompletableFuture<Receiver> r = CompletableFuture.supplyAsync(() -> {
            try {
                return NamedPipe.openReceiver(path, Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Sender sender = names.closeAfter(NamedPipe.openSender(path, Duration.ofSeconds(20)));
        return new FifoEnds(names.closeAfter(r.get(20, TimeUnit.SECONDS)), sender);
    }

    private void thousandReceivers(String what, Receiver receiver, Sender sender) throws Exception {
        Set<String> received = ConcurrentHashMap.newKeySet();
        VirtualThreadLoad.Result load = VirtualThreadLoad.measure(RECEIVERS, i -> {
            byte[] m = receiver.receive(Duration.ofSeconds(60));
            if (m != null) {
                received.add(new String(m, StandardCharsets.UTF_8));
            }
        });
        try {
            System.out.println(what + ", " + RECEIVERS + " receivers: " + load.describe());
            assertThat(load.bestRatio()).as(load.describe()).isGreaterThanOrEqualTo(VirtualThreadLoad.MIN_RATIO);
            for (int i = 0; i < RECEIVERS; i++) {
                sender.send(bytes("m" + i));
            }
            assertThat(load.join(Duration.ofSeconds(60))).as("every receiver returned").isTrue();
            assertThat(load.failure()).isNull();
            assertThat(received).hasSize(RECEIVERS);
        } finally {
            load.interruptAll();
        }
    }

    @Test
    void aThousandBlockedFifoReceiversLeaveTheCarriersFreeAndEachGetsItsMessage() throws Exception {
        FifoEnds fifo = fifo();
        thousandReceivers("fifo", fifo.in(), fifo.out());
    }

    @Test
    void aThousandBlockedReceiversOfAChildPipeLeaveTheCarriersFreeAndEachGetsItsMessage() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcess.javaBuilder(PipeEchoTestApp.class)
                .classPath(ChildJvm.testClassPath()).jvmOptions(ChildJvm.DEFAULT_JVM_OPTIONS).start())) {
            Channel channel = child.channel();
            // The echo child sends back each message the parent sends: one answer per receiver.
            thousandReceivers("child pipe", channel, channel);
        }
    }

    @Test
    void virtualFifoReceiverHonoursTimeoutInterruptAndClose() throws Exception {
        FifoEnds fifo = fifo();
        Receiver in = fifo.in();
        Sender sender = fifo.out();
        assertThat(VirtualThreadLoad.callVirtual(() -> in.receive(Duration.ofMillis(100))).get(10, TimeUnit.SECONDS))
                .isNull();
        sender.send(bytes("kept"));
        assertThat(new String(in.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("kept");

        Thread[] self = new Thread[1];
        CompletableFuture<byte[]> interrupted = VirtualThreadLoad.callVirtual(() -> {
            self[0] = Thread.currentThread();
            return in.receive();
        });
        Thread.sleep(200);
        self[0].interrupt();
        assertThatThrownBy(() -> interrupted.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedIOException.class);

        CompletableFuture<byte[]> closed = VirtualThreadLoad.callVirtual(in::receive);
        Thread.sleep(200);
        in.close();
        assertThatThrownBy(() -> closed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(EndpointClosedException.class);
    }
}
