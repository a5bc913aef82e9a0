package org.ipc4j.socket;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.Receiver;

/**
 * Runs in a child JVM started with {@code -Dorg.ipc4j.socket.spinMicros=N} (the value is read once per JVM):
 * a point-to-point ping-pong and the waiting rules with the polling receive switched on. Exits 0 when every
 * check holds; prints what failed and exits 1 otherwise. Argument: the socket path.
 */
public final class SpinningReceiveTestApp {
    private SpinningReceiveTestApp() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        check(DirectReceiver.SPIN_NANOS == TimeUnit.MICROSECONDS.toNanos(Integer.getInteger("org.ipc4j.socket.spinMicros")),
                "spin taken from the system property: " + DirectReceiver.SPIN_NANOS + " ns");
        CompletableFuture<StreamChannel> listener = CompletableFuture.supplyAsync(() -> {
            try {
                return SocketServer.unix(path).acceptOne(Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (StreamChannel client = StreamChannel.connect(UnixDomainSocketAddress.of(path), Duration.ofSeconds(10));
             StreamChannel server = listener.get(10, TimeUnit.SECONDS)) {
            int rounds = 2000;
            Thread echo = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(64);
                try {
                    for (int i = 0; i < rounds; i++) {
                        b.clear();
                        server.receive(b);
                        b.flip();
                        server.send(b);
                    }
                } catch (Exception e) {
                    System.out.println("echo failed: " + e);
                }
            });
            echo.start();
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int i = 0; i < rounds; i++) {
                b.clear();
                b.putInt(i).flip();
                client.send(b);
                b.clear();
                check(client.receive(b, Duration.ofSeconds(10)) == 4 && b.getInt(0) == i, "echo " + i);
            }
            echo.join(10_000);
            check(client.tryReceive(ByteBuffer.allocate(8)) == Receiver.NO_MESSAGE, "tryReceive on an empty channel");
            long start = System.nanoTime();
            int timed = client.receive(ByteBuffer.allocate(8), Duration.ofMillis(150));
            long ms = (System.nanoTime() - start) / 1_000_000;
            check(timed == Receiver.NO_MESSAGE && ms >= 100 && ms < 10_000, "timed receive waited " + ms + " ms");
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    server.receive(ByteBuffer.allocate(8));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            server.close();
            Throwable woken = blocked.get(5, TimeUnit.SECONDS);
            check(woken instanceof EndpointClosedException, "close wakes a receiver: " + woken);
        }
        System.out.println("OK");
        System.exit(0);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
