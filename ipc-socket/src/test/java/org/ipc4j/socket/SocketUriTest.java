package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Addresses: parameters, defaults, errors; and the quick-start example of docs/sockets.md. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketUriTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void capabilitiesAreReported() {
        for (String scheme : new String[] {"unix", "tcp", "udp"}) {
            Capability c = Ipc.capability(scheme);
            assertThat(c.supported()).as(c.toString()).isTrue();
            assertThat(c.artifact()).isEqualTo("org.ipc4j:ipc-socket");
        }
    }

    @Test
    void badAddressesAreRejectedUpFront() {
        assertThatThrownBy(() -> Ipc.open("tcp://127.0.0.1:7000?lisen=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lisen");
        assertThatThrownBy(() -> Ipc.open("tcp://127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> Ipc.open("tcp://127.0.0.1:70000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> Ipc.open("udp://127.0.0.1:7000?maxmsg=65508"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65507");
        assertThatThrownBy(() -> Ipc.open("unix:/tmp/x.sock?role=a&perm=0777"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0777");
        assertThatThrownBy(() -> Ipc.open("unix:/tmp/" + "x".repeat(120) + ".sock?role=a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("107");
    }

    @Test
    void oldAndMisspeltParameterNamesAreRejectedNamingTheAcceptedOnes() {
        for (String bad : List.of("maxMessage=1m", "connectTimeout=1s", "acceptTimeout=1s", "permissions=0600",
                "timout=1s", "maxMsg=1m")) {
            String key = bad.substring(0, bad.indexOf('='));
            assertThatThrownBy(() -> Ipc.open("unix:/tmp/never-opened.sock?" + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter(s) [" + key + "]")
                    .hasMessageContaining("[authkeyEnv, authkeyFile, buffer, listen, maxmsg, perm, role, sameUserOnly, timeout]");
        }
        assertThatThrownBy(() -> Ipc.open("tcp://127.0.0.1:7000?maxMessage=1m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessage")
                .hasMessageContaining("[authkeyEnv, authkeyFile, buffer, listen, maxmsg, role, timeout]");
        assertThatThrownBy(() -> Ipc.open("tcp://127.0.0.1:7000?perm=0600"))
                .as("a TCP port has no permissions").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perm");
        assertThatThrownBy(() -> Ipc.open("udp://127.0.0.1:7000?timeout=1s"))
                .as("UDP opens without waiting for a peer").isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[bind, listen, maxmsg, role]");
    }

    @Test
    void badValuesAreRejectedBeforeAnythingIsOpened() {
        Path path = names.uniquePath("badval", ".sock");
        String unix = "unix:" + path + "?";
        assertThatThrownBy(() -> Ipc.open(unix + "role=c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role=c").hasMessageContaining("auto, a or b");
        assertThatThrownBy(() -> Ipc.open(unix + "listen=true&role=b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contradicts role=b");
        assertThatThrownBy(() -> Ipc.open(unix + "perm=abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("octal");
        assertThatThrownBy(() -> Ipc.open(unix + "maxmsg=0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxmsg=0");
        assertThatThrownBy(() -> Ipc.open(unix + "timeout=soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=soon");
        assertThatThrownBy(() -> Ipc.open(unix + "buffer=0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer=0");
        assertThatThrownBy(() -> Ipc.open("udp://127.0.0.1:7000?role=a&bind=127.0.0.1:7001"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bind=");
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as("nothing was created").isFalse();
    }

    @Test
    void udpMaxMessageIsEnforcedOnSend() throws Exception {
        try (UdpChannel a = (UdpChannel) Ipc.open("udp://:0?role=a&maxmsg=100")) {
            try (Channel b = Ipc.open("udp://127.0.0.1:" + a.localAddress().getPort() + "?maxmsg=100")) {
                assertThatThrownBy(() -> b.send(new byte[101])).isInstanceOf(MessageTooLargeException.class)
                        .hasMessageContaining("101").hasMessageContaining("100");
                b.send(new byte[100]);
                assertThat(a.receive(Duration.ofSeconds(5))).hasSize(100);
            }
        }
    }

    // --- from docs/sockets.md, "Quick start" ---
    static String quickStart(Path socketFile) throws Exception {
        String address = "unix:" + socketFile;                 // or "tcp://127.0.0.1:7000": nothing else changes
        CompletableFuture<Channel> otherSide = CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open(address);                      // in real code: the other process, same line
            } catch (IpcException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Channel mine = Ipc.open(address);                // the first opener listens, the second connects
             Channel theirs = otherSide.get(30, TimeUnit.SECONDS)) {
            mine.send("ping".getBytes(StandardCharsets.UTF_8));
            byte[] request = theirs.receive(Duration.ofSeconds(5));
            theirs.send(request);                              // echo
            return new String(mine.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8);
        }
    }
    // --- end of the example ---

    @Test
    void quickStartRunsThreeTimesInARowWithNoCleanUp() throws Exception {
        Path path = names.uniquePath("quick", ".sock");
        for (int run = 1; run <= 3; run++) {
            assertThat(quickStart(path)).as("run %d", run).isEqualTo("ping");
            assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as("socket file after run %d", run).isFalse();
        }
    }
}
