package org.ipc4j.shm;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * One round trip over an {@code shm:} channel whose two ends are both in this JVM: {@code args[0]} is the
 * name. Prints {@value #DONE} when it worked (exit 0), the stack trace otherwise (exit 1).
 */
public final class ShmRoundTripTestApp {
    static final String DONE = "ROUND-TRIP-DONE";

    private ShmRoundTripTestApp() {
    }

    public static void main(String[] args) {
        try {
            roundTrip(args[0]);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
        // both ends are closed: the session ended, its files are gone
        System.out.println(DONE);
        System.exit(0);
    }

    private static void roundTrip(String name) throws Exception {
        try (Channel a = Ipc.open("shm:" + name + "?capacity=64k");
                Channel b = Ipc.open("shm:" + name + "?capacity=64k")) {
            a.send("ping".getBytes(StandardCharsets.UTF_8));
            byte[] ping = b.receive(Duration.ofSeconds(10));
            b.send(ping);
            byte[] pong = a.receive(Duration.ofSeconds(10));
            if (pong == null || !"ping".equals(new String(pong, StandardCharsets.UTF_8))) {
                throw new IllegalStateException("round trip returned " + (pong == null ? null : new String(pong)));
            }
        }
    }
}
