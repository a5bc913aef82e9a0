package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MalformedFrameException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile and broken clients: each is disconnected with a logged reason, while the server and a well-behaved
 * client carry on; a client that never reads is dropped instead of growing the server's memory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private final List<String> reasons = new CopyOnWriteArrayList<>();

    private SocketServer.Handler echoRecordingReasons() {
        return new SocketServer.Handler() {
            @Override
            public void onMessage(StreamChannel client, ByteBuffer message) {
                try {
                    client.trySend(message);
                } catch (IpcException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void onDisconnect(StreamChannel client, IpcException reason) {
                reasons.add(reason == null ? "orderly" : reason.getClass().getSimpleName() + ": " + reason.getMessage());
            }
        };
    }

    @Test
    void malformedClientsAreDisconnectedWithAReasonAndOthersKeepWorking() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SocketServer server = names.closeAfter(SocketServer.tcp(0).maxMessageSize(1024).handler(echoRecordingReasons()).open());
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        StreamChannel good = names.closeAfter(StreamChannel.connect(address, Duration.ofSeconds(5), 1024, 64 * 1024));
        good.send(bytes("before"));
        assertThat(text(good.receive(Duration.ofSeconds(5)))).isEqualTo("before");

        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            // a length prefix with the top bit set: not our protocol
            assertClosedByServer(address, new byte[] {(byte) 0x80, 0, 0, 1, 'j', 'u', 'n', 'k'}, false);
            // Python's multiprocessing announcing a message over 2 GiB: 0xffffffff, then an 8-byte length (3 GiB)
            assertClosedByServer(address, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                0, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 'p', 'a', 'y'}, false);
            // a plausible but oversized prefix: 1 MiB announced, maximum 1024; nothing is allocated for it
            assertClosedByServer(address, new byte[] {0, 0x10, 0, 0, 1, 2, 3}, false);
            // a frame of 100 announced, 10 sent, then the client's output ends (truncated frame)
            assertClosedByServer(address, new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true);
            // the same, but the client vanishes abruptly (RST) in the middle of the frame
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                s.getOutputStream().write(new byte[] {0, 0, 0, 50, 1, 2, 3});
                s.getOutputStream().flush();
                Thread.sleep(50);
                s.setSoLinger(true, 0);
            }
            awaitReasons(5);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(reasons).anyMatch(r -> r.startsWith("MalformedFrameException") && r.contains("top bit"));
        assertThat(reasons).anyMatch(r -> r.startsWith("MalformedFrameException") && r.contains("announces 1048576 bytes"));
        assertThat(reasons).anyMatch(r -> r.startsWith("MalformedFrameException") && r.contains("ended inside a frame"));
        assertThat(reasons).anyMatch(r -> r.startsWith("MalformedFrameException")
                && r.contains("large-frame escape of Python's multiprocessing") && r.contains("maximum frame is 1024"));
        assertThat(reasons).hasSize(5);
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("closing the connection").contains("top bit").contains("ended inside a frame");

        good.send(bytes("after"));
        assertThat(text(good.receive(Duration.ofSeconds(5)))).as("the good client is served throughout").isEqualTo("after");
        assertThat(server.clients()).as("only the good client is left").hasSize(1);
    }

    @Test
    void aStreamChannelReceivingGarbageReportsMalformedFrameAfterTheGoodMessages() throws Exception {
        Path path = names.uniquePath("garb", ".sock");
        try (java.nio.channels.ServerSocketChannel raw = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
            StreamChannel client = names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5)));
            try (SocketChannel peer = raw.accept()) {
                peer.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 'o', 'k', (byte) 0x80, 0, 0, 0}));
                assertThat(text(client.receive(Duration.ofSeconds(5)))).isEqualTo("ok");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.receive(Duration.ofSeconds(5)))
                        .isInstanceOf(MalformedFrameException.class).hasMessageContaining("top bit");
                ByteBuffer end = ByteBuffer.allocate(1);
                assertThat(readWithTimeout(peer, end)).as("the client closed the connection").isEqualTo(-1);
            }
        }
    }

    @Test
    void aPointToPointChannelRefusesTheLargeFrameEscapeAfterTheGoodMessages() throws Exception {
        Path path = names.uniquePath("escape", ".sock");
        try (java.nio.channels.ServerSocketChannel raw = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
            names.deleteAfter(path);
            StreamChannel client = names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5)));
            try (SocketChannel peer = raw.accept()) {
                // what multiprocessing's send_bytes writes for a 3 GiB message, cut short after its header
                peer.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 'o', 'k', (byte) 0xff, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff, 0, 0, 0, 0, (byte) 0xC0, 0, 0, 0, 1, 2, 3}));
                assertThat(text(client.receive(Duration.ofSeconds(5)))).isEqualTo("ok");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.receive(Duration.ofSeconds(5)))
                        .isInstanceOf(MalformedFrameException.class)
                        .hasMessageContaining("large-frame escape of Python's multiprocessing")
                        .hasMessageContaining("maximum frame is 1048576 bytes");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.receive(Duration.ofSeconds(5)))
                        .as("nothing after it is read as a message").isInstanceOf(MalformedFrameException.class);
            }
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAsASlowConsumer() throws Exception {
        Path path = names.uniquePath("slow", ".sock");
        SocketServer server = names.closeAfter(SocketServer.unix(path).bufferSize(64 * 1024).handler(echoRecordingReasons()).open());
        StreamChannel reader = names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5)));
        SocketChannel stuck = SocketChannel.open(UnixDomainSocketAddress.of(path));
        names.closeAfter(stuck);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.clients().size() < 2 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(server.clients()).hasSize(2);
        AtomicInteger received = new AtomicInteger();
        byte[] message = new byte[1024];
        ByteBuffer in = ByteBuffer.allocate(2048);
        for (int burst = 0; burst < 100; burst++) {
            for (int i = 0; i < 40; i++) {
                server.broadcast(ByteBuffer.wrap(message));
            }
            for (int i = 0; i < 40; i++) {
                in.clear();
                assertThat(reader.receive(in, Duration.ofSeconds(5))).isEqualTo(1024);
                received.incrementAndGet();
            }
        }
        assertThat(received.get()).as("the reading client got every broadcast").isEqualTo(4000);
        assertThat(reasons).anyMatch(r -> r.contains("slow consumer"));
        assertThat(server.clients()).hasSize(1);
    }

    private void awaitReasons(int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reasons.size() < count && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    /** Sends raw bytes and checks that the server closes the connection (EOF or reset), within seconds. */
    private static void assertClosedByServer(InetSocketAddress address, byte[] raw, boolean shutdownOutput) throws Exception {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(raw);
            out.flush();
            if (shutdownOutput) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            int r;
            try {
                r = in.read();
            } catch (SocketException reset) {
                r = -1;
            }
            assertThat(r).as("server closed the connection after %d bad bytes", raw.length).isEqualTo(-1);
        }
    }

    private static int readWithTimeout(SocketChannel channel, ByteBuffer into) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        channel.configureBlocking(false);
        while (System.nanoTime() < end) {
            int n = channel.read(into);
            if (n != 0) {
                return n;
            }
            Thread.sleep(10);
        }
        return 0;
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
