package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The authkey handshake between ipc4j ends (servers, point-to-point pairs, the right and the wrong key, a key on
 * one side only) and against hand-made peers that send garbage, oversized or escaped handshake frames, or
 * nothing at all; and the checks on keys given in Java or named by an address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthkeyTest {
    private static final byte[] KEY = "k3y".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    // ------------------------------------------------------------------ ipc4j to ipc4j

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aServerAndAClientWithTheSameKeyTalk(String family) throws Exception {
        try (SocketServer server = server(family).authkey(KEY).open();
             StreamChannel client = StreamChannel.at(server.localAddress()).role(Role.B).authkey(KEY).open(WAIT);
             StreamChannel served = server.accept(WAIT)) {
            client.send("hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(served.receive(WAIT)).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
            served.send("back".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.receive(WAIT)).asString(StandardCharsets.US_ASCII).isEqualTo("back");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aClientWithAnotherKeyIsRefusedAndTold(String family) throws Exception {
        try (SocketServer server = server(family).authkey(KEY).open()) {
            assertThatThrownBy(() -> StreamChannel.at(server.localAddress()).role(Role.B)
                    .authkey("other".getBytes(StandardCharsets.UTF_8)).open(WAIT))
                    .isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("the peer rejected our answer to its challenge (#FAILURE#)");
            assertThat(server.accept(Duration.ofMillis(200))).isNull();
            assertThat(server.clients()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void twoOpenersOfOneAddressWithTheSameKeyMeet(String family) throws Exception {
        SocketAddress at = family.equals("unix") ? UnixDomainSocketAddress.of(names.uniquePath("auth", ".sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        CompletableFuture<StreamChannel> other = CompletableFuture.supplyAsync(() -> open(at, KEY));
        try (StreamChannel mine = StreamChannel.at(at).authkey(KEY).open(WAIT);
             StreamChannel theirs = other.get(20, TimeUnit.SECONDS)) {
            mine.send(new byte[] {1, 2, 3});
            assertThat(theirs.receive(WAIT)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aListenerRefusesAWrongKeyAndKeepsWaitingForTheRightOne() throws Exception {
        Path path = names.uniquePath("auth", ".sock");
        SocketAddress at = UnixDomainSocketAddress.of(path);
        CompletableFuture<StreamChannel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannel.at(at).role(Role.A).authkey(KEY).open(WAIT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThatThrownBy(() -> StreamChannel.at(at).role(Role.B).authkey(new byte[] {9}).open(WAIT))
                .isInstanceOf(AuthenticationFailedException.class);
        try (StreamChannel good = StreamChannel.at(at).role(Role.B).authkey(KEY).open(WAIT);
             StreamChannel side = listener.get(20, TimeUnit.SECONDS)) {
            good.send(new byte[] {7});
            assertThat(side.receive(WAIT)).containsExactly(7);
        }
    }

    @Test
    void aListenerThatOnlyMetWrongKeysSaysSoAtItsTimeout() throws Exception {
        SocketAddress at = UnixDomainSocketAddress.of(names.uniquePath("auth", ".sock"));
        CompletableFuture<Throwable> listener = CompletableFuture.supplyAsync(() -> {
            try {
                StreamChannel.at(at).role(Role.A).authkey(KEY).open(Duration.ofSeconds(2)).close();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertThatThrownBy(() -> StreamChannel.at(at).role(Role.B).authkey(new byte[] {9}).open(WAIT))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThat(listener.get(20, TimeUnit.SECONDS)).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("no peer passed the authkey handshake").hasMessageContaining("1 refused");
    }

    @Test
    void aClientWithoutAKeyNeverBecomesAClientOfAServerWithOne() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).authkey(KEY).open();
             StreamChannel plain = StreamChannel.connect(server.localAddress(), WAIT)) {
            plain.send("hello".getBytes(StandardCharsets.US_ASCII)); // taken as a (wrong) answer
            byte[] challenge = plain.receive(WAIT);
            assertThat(new String(challenge, StandardCharsets.US_ASCII)).startsWith("#CHALLENGE#{sha256}");
            assertThat(challenge).hasSize(11 + 8 + 40);
            assertThat(plain.receive(WAIT)).asString(StandardCharsets.US_ASCII).isEqualTo("#FAILURE#");
            assertThatThrownBy(() -> plain.receive(WAIT)).isInstanceOf(PeerGoneException.class);
            assertThat(server.accept(Duration.ofMillis(200))).isNull();
        }
    }

    // ------------------------------------------------------------------ hostile and broken peers

    @Test
    void aServerRefusesOversizedAndEscapedAnswersWithoutReadingThem() throws Exception {
        try (SocketServer server = SocketServer.tcp(0).authkey(KEY).open()) {
            for (byte[] header : new byte[][] {
                    {0x40, 0, 0, 0},                                  // 1 GiB
                    {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 1, 0, 0, 0, 0}, // the escape, 4 GiB
                    {0, 0, 1, 1},                                     // 257 bytes, one over the limit
            }) {
                try (SocketChannel raw = SocketChannel.open(server.localAddress())) {
                    readFrame(raw); // the challenge
                    raw.write(ByteBuffer.wrap(header));
                    assertHungUp(raw);
                }
            }
            assertThat(server.accept(Duration.ofMillis(100))).isNull();
        }
    }

    @Test
    void closingAServerEndsAHandshakeThatHangs() throws Exception {
        SocketServer server = SocketServer.tcp(0).authkey(KEY).open();
        try (SocketChannel silent = SocketChannel.open(server.localAddress())) {
            readFrame(silent);
            long start = System.nanoTime();
            server.close();
            assertHungUp(silent);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            server.close();
        }
    }

    @Test
    void aClientGivesClearErrorsForListenersThatDoNotSpeakTheHandshake() throws Exception {
        assertThat(clientAgainst(frame("hello"))).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("expected the peer's #CHALLENGE#, got \"hello\"");
        assertThat(clientAgainst(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("announced a frame of 2147483647 bytes; a handshake frame is at most 256");
        assertThat(clientAgainst(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 1, 0, 0, 0, 0}))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("large-frame escape");
        assertThat(clientAgainst(frame("#CHALLENGE#short"))).isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("too short (5 bytes");
        assertThat(clientAgainst(frame("#CHALLENGE#{sha512}0123456789012345678901234567890123456789")))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("names no digest");
        assertThat(clientAgainst(new byte[] {0, 0})).as("a stream that ends inside the header")
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("closed the connection");
    }

    @Test
    void aClientOfASilentListenerGivesUpAtItsTimeout() throws Exception {
        Path path = names.uniquePath("silent", ".sock");
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
            names.deleteAfter(path);
            // a listener without a key: it accepts (the kernel does, from the backlog) and waits for messages
            long start = System.nanoTime();
            assertThatThrownBy(() -> StreamChannel.at(UnixDomainSocketAddress.of(path)).role(Role.B).authkey(KEY)
                    .open(Duration.ofMillis(700)))
                    .isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("did not complete the authkey handshake in time")
                    .hasMessageContaining("waiting for a challenge");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
    }

    @Test
    void aClientAnswersEveryDigestPythonMayAskFor() throws Exception {
        for (String[] digest : new String[][] {{"md5", "HmacMD5"}, {"sha256", "HmacSHA256"}, {"sha384", "HmacSHA384"},
                {"sha3_256", "HmacSHA3-256"}, {"sha3_384", "HmacSHA3-384"}}) {
            byte[] body = ("{" + digest[0] + "}0123456789012345678901234567890123456789").getBytes(StandardCharsets.US_ASCII);
            Mac mac = Mac.getInstance(digest[1]);
            mac.init(new SecretKeySpec(KEY, digest[1]));
            byte[] prefix = ("{" + digest[0] + "}").getBytes(StandardCharsets.US_ASCII);
            byte[] expected = concat(prefix, mac.doFinal(body));
            byte[] answer = answerOf(concat("#CHALLENGE#".getBytes(StandardCharsets.US_ASCII), body));
            assertThat(answer).as(digest[0]).isEqualTo(expected);
        }
    }

    // ------------------------------------------------------------------ keys

    @Test
    void keysAreCheckedAndCopied() throws Exception {
        assertThatThrownBy(() -> SocketServer.tcp(0).authkey(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one byte");
        assertThatThrownBy(() -> StreamChannel.at(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1))
                .authkey(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        byte[] key = KEY.clone();
        try (SocketServer server = SocketServer.tcp(0).authkey(key).open()) {
            key[0] ^= 1; // the server holds its own copy
            try (StreamChannel client = StreamChannel.at(server.localAddress()).role(Role.B).authkey(KEY).open(WAIT)) {
                assertThat(server.accept(WAIT)).isNotNull().satisfies(StreamChannel::close);
            }
        }
    }

    @Test
    void anAddressNeverCarriesTheKeyItself() throws Exception {
        Path sock = names.uniquePath("auth", ".sock");
        assertThatThrownBy(() -> Ipc.open("unix:" + sock + "?authkey=hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("authkeyFile=")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Ipc.open("tcp://:7?authkeyFile=/nonexistent/key"))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("authkeyFile=/nonexistent/key");
        assertThatThrownBy(() -> Ipc.open("tcp://:7?authkeyEnv=IPC4J_SURELY_UNSET_VARIABLE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not set");
        Path empty = names.uniquePath("auth", ".key");
        Files.write(empty, new byte[0]);
        names.deleteAfter(empty);
        assertThatThrownBy(() -> Ipc.open("tcp://:7?authkeyFile=" + empty))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Ipc.open("tcp://:7?authkeyFile=/dev/zero"))
                .as("a file that never ends is not read to its end").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 4096 bytes");
        assertThatThrownBy(() -> Ipc.open("tcp://:7?authkeyFile=" + empty + "&authkeyEnv=PATH"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
    }

    // ------------------------------------------------------------------ helpers

    private SocketServer.Builder server(String family) {
        return family.equals("unix") ? SocketServer.unix(names.uniquePath("auth", ".sock")) : SocketServer.tcp(0);
    }

    private static StreamChannel open(SocketAddress at, byte[] key) {
        try {
            return StreamChannel.at(at).authkey(key).open(WAIT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] frame(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(4 + p.length).putInt(p.length).put(p).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** The peer closed: an end of stream, or a reset where it closed with our bytes unread. */
    private static void assertHungUp(SocketChannel raw) {
        int read;
        try {
            read = raw.read(ByteBuffer.allocate(64));
        } catch (java.io.IOException reset) {
            read = -1;
        }
        assertThat(read).as("the server hung up without another byte").isEqualTo(-1);
    }

    private static byte[] readFrame(SocketChannel raw) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(4);
        while (header.hasRemaining()) {
            if (raw.read(header) < 0) {
                throw new PeerGoneException("eof");
            }
        }
        ByteBuffer payload = ByteBuffer.allocate(header.getInt(0));
        while (payload.hasRemaining()) {
            if (raw.read(payload) < 0) {
                throw new PeerGoneException("eof");
            }
        }
        return payload.array();
    }

    /** What an ipc4j client with {@link #KEY} throws against a listener that sends {@code bytes} and hangs up. */
    private Throwable clientAgainst(byte[] bytes) throws Exception {
        Path path = names.uniquePath("raw", ".sock");
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
            names.deleteAfter(path);
            CompletableFuture<Void> serve = CompletableFuture.runAsync(() -> {
                try (SocketChannel peer = raw.accept()) {
                    peer.write(ByteBuffer.wrap(bytes));
                    Thread.sleep(200);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                StreamChannel.at(UnixDomainSocketAddress.of(path)).role(Role.B).authkey(KEY).open(WAIT).close();
                return null;
            } catch (Exception e) {
                return e;
            } finally {
                serve.get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The answer an ipc4j client with {@link #KEY} gives to {@code challenge}. */
    private byte[] answerOf(byte[] challenge) throws Exception {
        Path path = names.uniquePath("raw", ".sock");
        try (ServerSocketChannel raw = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.bind(UnixDomainSocketAddress.of(path));
            names.deleteAfter(path);
            CompletableFuture<byte[]> serve = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel peer = raw.accept()) {
                    peer.write(ByteBuffer.wrap(ByteBuffer.allocate(4 + challenge.length).putInt(challenge.length)
                            .put(challenge).array()));
                    return readFrame(peer);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> StreamChannel.at(UnixDomainSocketAddress.of(path)).role(Role.B).authkey(KEY)
                    .open(WAIT)).isInstanceOf(AuthenticationFailedException.class); // no #WELCOME# follows
            return serve.get(10, TimeUnit.SECONDS);
        }
    }
}
