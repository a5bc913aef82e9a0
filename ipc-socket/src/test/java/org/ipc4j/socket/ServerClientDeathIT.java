package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.IpcException;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients in other processes: the server serves them, notices at once when one is killed with SIGKILL, and
 * keeps serving the rest.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServerClientDeathIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void aKilledClientIsNoticedAndTheOthersKeepBeingServed() throws Exception {
        Path path = names.uniquePath("death", ".sock");
        List<String> hellos = new CopyOnWriteArrayList<>();
        List<String> gone = new CopyOnWriteArrayList<>();
        SocketServer server = names.closeAfter(SocketServer.unix(path).handler(new SocketServer.Handler() {
            @Override
            public void onMessage(StreamChannel client, ByteBuffer message) {
                hellos.add(StandardCharsets.UTF_8.decode(message).toString());
            }

            @Override
            public void onDisconnect(StreamChannel client, IpcException reason) {
                gone.add(reason == null ? "closed" : reason.getMessage());
            }
        }).open());
        try (ChildJvm first = ChildJvm.start(ServerClientTestApp.class, path.toString());
             ChildJvm second = ChildJvm.start(ServerClientTestApp.class, path.toString())) {
            first.awaitOutput(ServerClientTestApp.READY, Duration.ofSeconds(30));
            second.awaitOutput(ServerClientTestApp.READY, Duration.ofSeconds(30));
            StreamChannel local = names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5)));
            await(() -> hellos.size() == 2 && server.clients().size() == 3);
            assertThat(hellos).containsExactlyInAnyOrder("hello from " + first.pid(), "hello from " + second.pid());

            first.killHard();
            long start = System.nanoTime();
            await(() -> gone.size() == 1);
            assertThat(gone).as("the server noticed the killed client").hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(server.clients()).hasSize(2);

            assertThat(server.broadcast(ByteBuffer.wrap("still serving".getBytes(StandardCharsets.UTF_8)))).isEqualTo(2);
            assertThat(new String(local.receive(Duration.ofSeconds(5)), StandardCharsets.UTF_8)).isEqualTo("still serving");
            assertThat(second.isAlive()).isTrue();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }
}
