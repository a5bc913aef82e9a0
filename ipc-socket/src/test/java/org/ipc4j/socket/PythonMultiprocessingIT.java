package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real {@code python3} peer using {@code multiprocessing.connection} with an {@code authkey} talks to ipc4j:
 * Python's Client to an ipc4j {@link SocketServer} and to a point-to-point listener opened by address, ipc4j
 * clients to Python's Listener, over Unix and TCP sockets; in the form this interpreter's standard library
 * speaks (Python 3.11: the legacy HMAC-MD5 form) and in the 3.12+ form ({@code {sha256}}), which the peer
 * script writes out by hand; with the wrong key and with a key on one side only. The peer script is
 * {@code mp_peer.py} next to this class: after the handshake it sends "ping", expects "pong:ping" and then
 * sends a pickled object, which ipc4j must pass on as opaque bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PythonMultiprocessingIT {
    private static final byte[] KEY = "the shared secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeAll
    static void pythonIsInstalled() {
        assumeTrue(Tools.available("python3"), "python3 is not installed");
    }

    // ------------------------------------------------------------------ the right key

    @ParameterizedTest(name = "{0}, {1} form")
    @CsvSource({"unix, stdlib", "tcp, stdlib", "unix, sha256", "tcp, sha256"})
    void pythonClientTalksToAnIpc4jServer(String family, String form) throws Exception {
        try (SocketServer server = server(family).authkey(KEY).open()) {
            Peer python = start("connect", family, server.localAddress(), form, "the shared secret");
            try (StreamChannel client = server.accept(WAIT)) {
                assertThat(client).as("the authenticated Python client").isNotNull();
                converse(client);
            }
            python.assertExit(0, "OK");
        }
    }

    @ParameterizedTest(name = "{0}, {1} form")
    @CsvSource({"unix, stdlib", "tcp, stdlib", "unix, sha256", "tcp, sha256"})
    void ipc4jClientTalksToAPythonListener(String family, String form) throws Exception {
        Peer python = startListener(family, form, "the shared secret");
        try (StreamChannel channel = StreamChannel.at(python.address).role(Role.B).authkey(KEY).open(WAIT)) {
            converse(channel);
        }
        python.assertExit(0, "OK");
    }

    @ParameterizedTest(name = "{0}, {1} form")
    @CsvSource({"unix, stdlib", "tcp, sha256"})
    void pythonClientTalksToAListenerOpenedByAddress(String family, String form) throws Exception {
        Path keyFile = names.uniquePath("authkey", ".key");
        Files.write(keyFile, KEY);
        names.deleteAfter(keyFile);
        SocketAddress at = family.equals("unix") ? UnixDomainSocketAddress.of(names.uniquePath("mp", ".sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        String uri = uri(at) + "?role=a&timeout=10s&authkeyFile=" + keyFile;
        java.util.concurrent.CompletableFuture<Peer> python = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return start("connect", family, at, form, "the shared secret");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Channel channel = Ipc.open(uri)) {
            converse(channel);
        }
        python.get(WAIT.toSeconds(), TimeUnit.SECONDS).assertExit(0, "OK");
    }

    @Test
    void anIpc4jClientOpenedByAddressUsesAKeyFromTheEnvironment() throws Exception {
        String variable = System.getenv("PATH") != null ? "PATH" : null;
        assumeTrue(variable != null);
        // PATH is a variable every process has; its value serves as the key on both sides
        Peer python = startListener("unix", "stdlib", System.getenv(variable));
        try (Channel channel = Ipc.open(uri(python.address) + "?role=b&authkeyEnv=" + variable)) {
            converse(channel);
        }
        python.assertExit(0, "OK");
    }

    // ------------------------------------------------------------------ the wrong key

    @ParameterizedTest(name = "{0}, {1} form")
    @CsvSource({"unix, stdlib", "tcp, stdlib", "unix, sha256", "tcp, sha256"})
    void aPythonClientWithTheWrongKeyIsRefused(String family, String form) throws Exception {
        try (SocketServer server = server(family).authkey(KEY).open()) {
            Peer python = start("connect", family, server.localAddress(), form, "not the secret");
            python.assertExit(3, "AuthenticationError: digest sent was rejected");
            assertThat(server.accept(Duration.ofMillis(300))).as("no client was admitted").isNull();
            assertThat(server.clients()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}, {1} form")
    @CsvSource({"unix, stdlib", "tcp, stdlib", "unix, sha256", "tcp, sha256"})
    void anIpc4jClientWithTheWrongKeyGetsAuthenticationFailed(String family, String form) throws Exception {
        Peer python = startListener(family, form, "not the secret");
        assertThatThrownBy(() -> StreamChannel.at(python.address).role(Role.B).authkey(KEY).open(WAIT))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("rejected our answer")
                .hasMessageNotContaining("the shared secret");
        python.assertExit(3, "AuthenticationError: digest received was wrong");
    }

    // ------------------------------------------------------------------ a key on one side only

    @Test
    void aPythonClientWithoutAKeyIsRefusedAndItsMessageNeverReachesTheServer() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).authkey(KEY).open()) {
            Peer python = start("connect", "tcp", server.localAddress(), "none", "");
            // Python sends "ping", which the server takes as a wrong answer; Python then reads our challenge
            python.assertExit(5, "UNEXPECTED b'#CHALLENGE#");
            assertThat(server.accept(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void anIpc4jClientWithAKeyRefusesAPythonListenerWithout() throws Exception {
        Peer python = startListener("unix", "none", "");
        assertThatThrownBy(() -> StreamChannel.at(python.address).role(Role.B).authkey(KEY).open(WAIT))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("expected the peer's #CHALLENGE#, got \"ping\"");
        python.assertExit(4, "EOF");
    }

    @Test
    void aServerWithoutAKeyLeavesAPythonClientWithAKeyWaitingForItsChallenge() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).open()) {
            Peer python = start("connect", "tcp", server.localAddress(), "stdlib", "the shared secret");
            try (StreamChannel client = server.accept(WAIT)) {
                assertThat(client.receive(ByteBuffer.allocate(64), Duration.ofMillis(500)))
                        .as("Python waits for a challenge and sends nothing").isEqualTo(StreamChannel.NO_MESSAGE);
            }
            python.assertExit(4, "EOF");
        }
    }

    // ------------------------------------------------------------------ the example of docs/sockets.md

    static SocketServer openForPython(Path socketFile, Path keyFile) throws IOException {
        byte[] key = Files.readAllBytes(keyFile);                // the same bytes the Python side reads
        return SocketServer.unix(socketFile).authkey(key).open(); // or SocketServer.builder(new InetSocketAddress(...))
    }

    static void greet(SocketServer server) throws IOException {
        try (StreamChannel python = server.accept(Duration.ofSeconds(30))) { // only a client that knows the key
            byte[] name = python.receive(Duration.ofSeconds(5));
            python.send(("hello, " + new String(name, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theExampleOfTheGuideRuns() throws Exception {
        Path keyFile = names.uniquePath("app", ".key");
        Files.write(keyFile, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, '\n', 0, -1}); // any bytes are a key
        names.deleteAfter(keyFile);
        Path socketFile = names.uniquePath("app", ".sock");
        try (SocketServer server = openForPython(socketFile, keyFile)) {
            Path script = Path.of(PythonMultiprocessingIT.class.getResource("mp_hello_client.py").toURI());
            Process python = new ProcessBuilder("python3", script.toString(), socketFile.toString(), keyFile.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            names.onCleanup(() -> {
                python.destroyForcibly();
                python.waitFor(5, TimeUnit.SECONDS);
            });
            greet(server);
            assertThat(python.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo("hello, python");
            assertThat(python.exitValue()).isZero();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The exchange of mp_peer.py, seen from ipc4j. */
    private static void converse(Channel channel) throws Exception {
        byte[] ping = channel.receive(WAIT);
        assertThat(new String(ping, StandardCharsets.US_ASCII)).isEqualTo("ping");
        channel.send(("pong:" + new String(ping, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        byte[] pickled = channel.receive(WAIT);
        assertThat(pickled[0] & 0xff).as("conn.send() pickles: PROTO opcode first").isEqualTo(0x80);
        assertThat(pickled[pickled.length - 1]).as("pickle's STOP opcode last").isEqualTo((byte) '.');
        assertThat(new String(pickled, StandardCharsets.ISO_8859_1)).contains("pickled");
    }

    private SocketServer.Builder server(String family) {
        return family.equals("unix") ? SocketServer.unix(names.uniquePath("mp", ".sock")) : SocketServer.tcp(0);
    }

    private static String uri(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress u ? "unix:" + u.getPath()
                : "tcp://127.0.0.1:" + ((InetSocketAddress) address).getPort();
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Peer startListener(String family, String form, String key) throws Exception {
        SocketAddress at = family.equals("unix") ? UnixDomainSocketAddress.of(names.uniquePath("mp", ".sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Peer python = start("listen", family, at, form, key);
        String ready = python.out.readLine();
        assertThat(ready).as("the Python listener's first line").startsWith("READY ");
        python.address = family.equals("unix") ? at
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(ready.substring(6).trim()));
        return python;
    }

    private Peer start(String role, String family, SocketAddress address, String form, String key) throws Exception {
        Path script = Path.of(PythonMultiprocessingIT.class.getResource("mp_peer.py").toURI());
        String where = address instanceof UnixDomainSocketAddress u ? u.getPath().toString()
                : "127.0.0.1:" + ((InetSocketAddress) address).getPort();
        ProcessBuilder builder = new ProcessBuilder("python3", script.toString(), role, family, where, form)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("MP_AUTHKEY", key);
        Process process = builder.start();
        names.onCleanup(() -> {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        });
        if (address instanceof UnixDomainSocketAddress u) {
            names.deleteAfter(u.getPath());
        }
        return new Peer(process, address);
    }

    /** A running Python peer. */
    private static final class Peer {
        final Process process;
        final BufferedReader out;
        SocketAddress address;

        Peer(Process process, SocketAddress address) {
            this.process = process;
            this.address = address;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        void assertExit(int code, String lastLineStart) throws Exception {
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the Python peer exits").isTrue();
            List<String> lines = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
            assertThat(lines).as("the Python peer's output").isNotEmpty();
            assertThat(lines.get(lines.size() - 1)).as("the Python peer's output %s", lines).startsWith(lastLineStart);
            assertThat(process.exitValue()).as("the Python peer's exit code; output %s", lines).isEqualTo(code);
        }
    }
}
