package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SocketServer#awaitClose()}: a serving main stays up until the server is closed, then ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerMainIT {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void aServingMainRunsUntilAClientStopsTheServer() throws Exception {
        Path path = names.uniquePath("main", ".sock");
        try (ChildJvm server = ChildJvm.start(ServerMainTestApp.class, path.toString())) {
            server.awaitOutput(ServerMainTestApp.READY, PATIENCE);
            try (StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), PATIENCE)) {
                client.send(ServerMainTestApp.text("ping"));
                assertThat(new String(client.receive(PATIENCE), StandardCharsets.UTF_8)).isEqualTo("ping");
                assertThat(server.isAlive()).as("the main still serves after a round trip").isTrue();
                client.send(ServerMainTestApp.text("stop"));
                assertThat(server.waitFor(PATIENCE)).as(server.output()).isZero();
            }
            assertThat(server.output()).contains("server closed");
            assertThat(Files.exists(path)).as("the socket file is removed by close").isFalse();
        }
    }

    @Test
    void sigtermClosesTheServerThroughTheShutdownHook() throws Exception {
        Path path = names.uniquePath("main", ".sock");
        try (ChildJvm server = ChildJvm.start(ServerMainTestApp.class, path.toString())) {
            server.awaitOutput(ServerMainTestApp.READY, PATIENCE);
            server.process().destroy();
            server.waitFor(PATIENCE);
            assertThat(Files.exists(path)).as("the hook's close removed the socket file").isFalse();
        }
    }

    @Test
    void awaitCloseWaitsTimesOutAndIsInterruptible() throws Exception {
        Path path = names.uniquePath("await", ".sock");
        SocketServer server = names.closeAfter(SocketServer.unix(path).open());
        assertThat(server.awaitClose(Duration.ofMillis(50))).as("open: the timeout passes").isFalse();
        assertThat(server.awaitClose(Duration.ZERO)).isFalse();
        assertThat(server.awaitClose(Duration.ofSeconds(-1))).isFalse();
        assertThatThrownBy(() -> server.awaitClose(null)).isInstanceOf(NullPointerException.class);

        Thread.currentThread().interrupt();
        assertThatThrownBy(server::awaitClose).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.interrupted()).as("interrupt status set again").isTrue();
        assertThat(server.isOpen()).isTrue();

        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                server.awaitClose();
                return true;
            } catch (InterruptedIOException e) {
                return false;
            }
        });
        Thread.sleep(100);
        assertThat(waiter).as("blocks while the server is open").isNotDone();
        server.close();
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(path)).as("close has finished when awaitClose returns").isFalse();
        assertThat(server.awaitClose(Duration.ZERO)).as("closed: returns at once").isTrue();
        server.awaitClose();
    }
}
