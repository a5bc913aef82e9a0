package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interoperability with a real external peer, socat: framed messages written with printf (the wire format of
 * docs/sockets.md and docs/framing-format.md) over a Unix socket and over TCP, checked on our side, and our
 * framed reply checked byte for byte on socat's standard output; raw datagrams both ways over UDP.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocatInteropIT {
    /** "hello" (5 bytes) then an empty message, as a C or shell peer writes them. */
    static final String FRAMES_PRINTF = "\\000\\000\\000\\005hello\\000\\000\\000\\000";

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeAll
    static void socatIsInstalled() {
        assumeTrue(Tools.available("socat"), "socat is not installed (apt-get install socat)");
    }

    @Test
    void unixSocketFramesBothWays() throws Exception {
        Path path = names.uniquePath("socat", ".sock");
        try (SocketServer server = SocketServer.unix(path).open()) {
            framesBothWays(server, "UNIX-CONNECT:" + path);
        }
    }

    @Test
    void tcpFramesBothWays() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).open()) {
            InetSocketAddress a = (InetSocketAddress) server.localAddress();
            framesBothWays(server, "TCP:127.0.0.1:" + a.getPort());
        }
    }

    private static void framesBothWays(SocketServer server, String socatAddress) throws Exception {
        // -t 5: after its input ends socat half-closes and waits up to 5 s for our reply and our close
        Process socat = new ProcessBuilder("sh", "-c", "printf '" + FRAMES_PRINTF + "' | socat -t 5 - " + socatAddress)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (StreamChannel peer = server.accept(Duration.ofSeconds(10))) {
            assertThat(peer).as("socat connected").isNotNull();
            assertThat(new String(peer.receive(Duration.ofSeconds(10)), StandardCharsets.US_ASCII)).isEqualTo("hello");
            ByteBuffer empty = ByteBuffer.allocate(16);
            assertThat(peer.receive(empty, Duration.ofSeconds(10))).as("the empty message").isZero();
            assertThatThrownBy(() -> peer.receive(Duration.ofSeconds(10)))
                    .as("socat's input ended: its half-close is the end of our stream")
                    .isInstanceOf(PeerGoneException.class);
            peer.send("world!".getBytes(StandardCharsets.US_ASCII));
            peer.send(new byte[0]);
        }
        assertThat(socat.waitFor(15, TimeUnit.SECONDS)).as("socat exits after our close").isTrue();
        byte[] out = socat.getInputStream().readAllBytes();
        assertThat(out).as("socat's output, byte for byte")
                .containsExactly(0, 0, 0, 6, 'w', 'o', 'r', 'l', 'd', '!', 0, 0, 0, 0);
        assertThat(socat.exitValue()).isZero();
    }

    @Test
    void udpDatagramsBothWays() throws Exception {
        try (UdpChannel listener = UdpChannel.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024)) {
            int port = listener.localAddress().getPort();
            // no header on UDP: one datagram is one message; -t 3 keeps socat listening for our reply
            Process socat = new ProcessBuilder("sh", "-c", "printf 'one datagram' | socat -t 3 - UDP:127.0.0.1:" + port)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                assertThat(new String(listener.receive(Duration.ofSeconds(10)), StandardCharsets.US_ASCII))
                        .isEqualTo("one datagram");
                assertThat(listener.remoteAddress()).as("the listener learnt socat's address").isNotNull();
                listener.send("the reply".getBytes(StandardCharsets.US_ASCII));
                assertThat(socat.waitFor(15, TimeUnit.SECONDS)).isTrue();
                assertThat(new String(socat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("the reply");
            } finally {
                socat.destroyForcibly();
            }
        }
    }

    @Test
    void ourClientTalksToASocatServer() throws Exception {
        Path path = names.uniquePath("socsrv", ".sock");
        // socat as the server: it echoes the bytes it receives, so what comes back must still be valid frames
        Process socat = new ProcessBuilder("socat", "UNIX-LISTEN:" + path + ",mode=600", "EXEC:cat")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (StreamChannel client = StreamChannel.connect(
                java.net.UnixDomainSocketAddress.of(path), Duration.ofSeconds(10))) {
            for (int size : new int[] {0, 1, 100, 70_000}) {
                byte[] message = new byte[size];
                new java.util.Random(size).nextBytes(message);
                client.send(message);
                assertThat(client.receive(Duration.ofSeconds(10))).as("echo of %d bytes", size).isEqualTo(message);
            }
        } finally {
            socat.destroyForcibly();
            socat.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
