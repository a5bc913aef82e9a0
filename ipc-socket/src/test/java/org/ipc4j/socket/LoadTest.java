package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 50 concurrent clients x 1,000 messages each through one server (one selector thread): every message
 * arrives once, in order per client, and every echo comes back. Not a speed test (ipc-bench measures).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LoadTest {
    static final int CLIENTS = 50;
    static final int MESSAGES = 1000;
    static final int WINDOW = 100;

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void fiftyClientsTimesAThousandMessagesNothingLost() throws Exception {
        Path path = names.uniquePath("load", ".sock");
        Map<Integer, Integer> nextExpected = new ConcurrentHashMap<>();
        AtomicLong received = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        AtomicLong echoRefused = new AtomicLong();
        SocketServer server = names.closeAfter(SocketServer.unix(path).handler((client, message) -> {
            int id = message.getInt(0);
            int seq = message.getInt(4);
            int expected = nextExpected.getOrDefault(id, 0);
            if (seq != expected) {
                outOfOrder.incrementAndGet();
            }
            nextExpected.put(id, seq + 1);
            received.incrementAndGet();
            try {
                if (!client.trySend(message)) {
                    echoRefused.incrementAndGet();
                }
            } catch (Exception e) {
                echoRefused.incrementAndGet();
            }
        }).open());
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                results.add(pool.submit(() -> runClient(path, id)));
            }
            int echoes = 0;
            for (Future<Integer> f : results) {
                echoes += f.get(80, TimeUnit.SECONDS);
            }
            assertThat(received.get()).isEqualTo((long) CLIENTS * MESSAGES);
            assertThat(outOfOrder.get()).isZero();
            assertThat(echoRefused.get()).isZero();
            assertThat(echoes).isEqualTo(CLIENTS * MESSAGES);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.clients().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(server.clients()).as("clients that closed are forgotten").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    private static int runClient(Path path, int id) throws Exception {
        int echoes = 0;
        try (StreamChannel channel = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(20))) {
            ByteBuffer in = ByteBuffer.allocate(256);
            for (int start = 0; start < MESSAGES; start += WINDOW) {
                for (int seq = start; seq < start + WINDOW; seq++) {
                    ByteBuffer m = ByteBuffer.allocate(64);
                    m.putInt(id).putInt(seq).flip();
                    m.limit(64);
                    channel.send(m);
                }
                for (int seq = start; seq < start + WINDOW; seq++) {
                    in.clear();
                    int n = channel.receive(in, Duration.ofSeconds(30));
                    if (n != 64 || in.getInt(0) != id || in.getInt(4) != seq) {
                        throw new AssertionError("client " + id + ": echo " + seq + " wrong: length " + n + ", id "
                                + in.getInt(0) + ", seq " + in.getInt(4));
                    }
                    echoes++;
                }
            }
        }
        return echoes;
    }
}
