package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InterruptedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Receiver;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server: many clients on one selector thread, broadcast, accept, half-close, timeouts, interrupts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketServerTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void manyIdleClientsCostNoThreadsAndAllReceiveABroadcast() throws Exception {
        Path path = names.uniquePath("srv", ".sock");
        List<StreamChannel> connected = new CopyOnWriteArrayList<>();
        SocketServer server = names.closeAfter(SocketServer.unix(path).handler(new SocketServer.Handler() {
            @Override
            public void onConnect(StreamChannel client) {
                connected.add(client);
            }

            @Override
            public void onMessage(StreamChannel client, ByteBuffer message) {
            }
        }).open());
        int before = Thread.activeCount();
        List<StreamChannel> clients = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            clients.add(names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(10))));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connected.size() < 200 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(connected).hasSize(200);
        assertThat(server.clients()).hasSize(200);
        assertThat(Thread.activeCount() - before).as("threads added for 200 clients").isLessThan(5);
        assertThat(server.broadcast(text("to all"))).isEqualTo(200);
        for (StreamChannel c : clients) {
            assertThat(string(c.receive(Duration.ofSeconds(10)))).isEqualTo("to all");
        }
    }

    @Test
    void acceptHandsOutClientsAndCloseWakesAWaitingAccept() throws Exception {
        SocketServer server = names.closeAfter(SocketServer.tcp(0).open());
        assertThat(server.accept(Duration.ofMillis(100))).as("nobody connected").isNull();
        StreamChannel client = names.closeAfter(StreamChannel.connect(server.localAddress(), Duration.ofSeconds(5)));
        StreamChannel accepted = names.closeAfter(server.accept(Duration.ofSeconds(5)));
        client.send(text("hi"));
        assertThat(string(accepted.receive(Duration.ofSeconds(5)))).isEqualTo("hi");
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> catchThrowable(server::accept));
        Thread.sleep(100);
        server.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> accepted.receive(Duration.ofSeconds(1))).isInstanceOf(EndpointClosedException.class);
        assertThatThrownBy(() -> client.receive(Duration.ofSeconds(5))).isInstanceOf(PeerGoneException.class);
    }

    @Test
    void halfCloseDeliversEverythingThenTheEndAndTheOtherDirectionStillWorks() throws Exception {
        SocketServer server = names.closeAfter(SocketServer.tcp(0).open());
        StreamChannel client = names.closeAfter(StreamChannel.connect(server.localAddress(), Duration.ofSeconds(5)));
        StreamChannel accepted = names.closeAfter(server.accept(Duration.ofSeconds(5)));
        client.send(text("request 1"));
        client.send(text("request 2"));
        client.shutdownOutput();
        assertThatThrownBy(() -> client.send(text("late"))).isInstanceOf(EndpointClosedException.class);
        assertThat(string(accepted.receive(Duration.ofSeconds(5)))).isEqualTo("request 1");
        assertThat(string(accepted.receive(Duration.ofSeconds(5)))).isEqualTo("request 2");
        assertThatThrownBy(() -> accepted.receive(Duration.ofSeconds(5))).isInstanceOf(PeerGoneException.class);
        accepted.send(text("response"));
        assertThat(string(client.receive(Duration.ofSeconds(5)))).isEqualTo("response");
    }

    @Test
    void connectTimesOutWhenNobodyListens() throws Exception {
        Path path = names.uniquePath("none", ".sock");
        long start = System.nanoTime();
        Throwable t = catchThrowable(() -> StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofMillis(300)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(t).isInstanceOf(NoSuchObjectException.class).hasMessageContaining(path.toString());
        assertThat(ms).isBetween(250L, 5000L);
    }

    @Test
    void interruptOfAReceiveKeepsTheConnectionUsable() throws Exception {
        SocketServer server = names.closeAfter(SocketServer.tcp(0).open());
        StreamChannel client = names.closeAfter(StreamChannel.connect(server.localAddress(), Duration.ofSeconds(5)));
        StreamChannel accepted = names.closeAfter(server.accept(Duration.ofSeconds(5)));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            outcome.complete(catchThrowable(() -> client.receive(ByteBuffer.allocate(16))));
            flagKept.complete(Thread.currentThread().isInterrupted());
        });
        t.start();
        Thread.sleep(100);
        t.interrupt();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(flagKept.get(5, TimeUnit.SECONDS)).as("interrupt status kept").isTrue();
        accepted.send(text("still here"));
        assertThat(string(client.receive(Duration.ofSeconds(5)))).isEqualTo("still here");
    }

    @Test
    void tryFormsNeverWaitAndClosingTheServerRemovesItsSocketFile() throws Exception {
        Path path = names.uniquePath("try", ".sock");
        SocketServer server = SocketServer.unix(path).open();
        try {
            assertThat(Files.exists(path)).isTrue();
            StreamChannel client = names.closeAfter(StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(5)));
            StreamChannel accepted = names.closeAfter(server.accept(Duration.ofSeconds(5)));
            assertThat(accepted.tryReceive(ByteBuffer.allocate(8))).isEqualTo(Receiver.NO_MESSAGE);
            assertThat(client.trySend(text("x"))).isTrue();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int got = Receiver.NO_MESSAGE;
            while (got == Receiver.NO_MESSAGE && System.nanoTime() < end) {
                got = accepted.tryReceive(ByteBuffer.allocate(8));
            }
            assertThat(got).isEqualTo(1);
        } finally {
            server.close();
        }
        assertThat(Files.exists(path)).as("socket file removed by close").isFalse();
    }

    @Test
    void uriListenAcceptsExactlyOnePeerAndStopsListening() throws Exception {
        Path path = names.uniquePath("one", ".sock");
        CompletableFuture<org.ipc4j.api.Channel> listening = CompletableFuture.supplyAsync(() -> {
            try {
                return org.ipc4j.api.Ipc.open("unix:" + path + "?role=a&timeout=10s");
            } catch (IpcException e) {
                throw new RuntimeException(e);
            }
        });
        org.ipc4j.api.Channel client = names.closeAfter(org.ipc4j.api.Ipc.open("unix:" + path + "?role=b&timeout=10s"));
        org.ipc4j.api.Channel server = names.closeAfter(listening.get(10, TimeUnit.SECONDS));
        assertThat(Files.exists(path)).as("no longer listening: the file is gone").isFalse();
        client.send(text("only you"));
        assertThat(string(server.receive(Duration.ofSeconds(5)))).isEqualTo("only you");
        assertThatThrownBy(() -> org.ipc4j.api.Ipc.open("unix:" + path + "?role=b&timeout=100ms"))
                .isInstanceOf(NoSuchObjectException.class);
    }
}
