package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
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
        assertThatThrownBy(() -> Ipc.open("udp://127.0.0.1:7000?maxMessage=65508"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65507");
        assertThatThrownBy(() -> Ipc.open("unix:/tmp/x.sock?listen=true&permissions=0777"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0777");
        assertThatThrownBy(() -> Ipc.open("unix:/tmp/" + "x".repeat(120) + ".sock?listen=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("107");
    }

    @Test
    void udpMaxMessageIsEnforcedOnSend() throws Exception {
        try (UdpChannel a = (UdpChannel) Ipc.open("udp://:0?listen=true&maxMessage=100")) {
            try (Channel b = Ipc.open("udp://127.0.0.1:" + a.localAddress().getPort() + "?maxMessage=100")) {
                assertThatThrownBy(() -> b.send(new byte[101])).isInstanceOf(MessageTooLargeException.class)
                        .hasMessageContaining("101").hasMessageContaining("100");
                b.send(new byte[100]);
                assertThat(a.receive(Duration.ofSeconds(5))).hasSize(100);
            }
        }
    }

    // --- from docs/sockets.md, "Quick start" ---
    static String quickStart(Path socketFile) throws Exception {
        CompletableFuture<Channel> serverSide = CompletableFuture.supplyAsync(() -> {
            try {
                return Ipc.open("unix:" + socketFile + "?listen=true");   // waits for one peer
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (Channel client = Ipc.open("unix:" + socketFile);            // retries until the server is there
             Channel server = serverSide.get(10, TimeUnit.SECONDS)) {
            client.send("ping".getBytes(StandardCharsets.UTF_8));
            byte[] request = server.receive(Duration.ofSeconds(5));
            server.send(request);                                         // echo
            return new String(client.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8);
        }
    }
    // --- end of the example ---

    @Test
    void quickStartRuns() throws Exception {
        assertThat(quickStart(names.uniquePath("quick", ".sock"))).isEqualTo("ping");
    }
}
