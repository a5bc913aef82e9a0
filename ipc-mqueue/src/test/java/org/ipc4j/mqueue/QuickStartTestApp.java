package org.ipc4j.mqueue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * The README's quick start, process 1 or process 2 ({@code args[0]}), on the address {@code args[1]}: the code
 * of the README with nothing changed but the address. Prints {@code OPEN <side>} once open, then what it got;
 * exits 0 when the exchange worked, 1 otherwise.
 */
public final class QuickStartTestApp {
    private QuickStartTestApp() {
    }

    public static void main(String[] args) {
        try {
            if (args[0].equals("1")) {
                byte[] reply;
                // process 1
                try (Channel channel = Ipc.open(args[1])) {
                    opened(channel);
                    channel.send("order 42".getBytes(StandardCharsets.UTF_8));
                    reply = channel.receive(Duration.ofSeconds(30));   // null on timeout
                }
                System.out.println("REPLY " + (reply == null ? "(none)" : new String(reply, StandardCharsets.UTF_8)));
                System.exit(reply == null ? 1 : 0);
            } else {
                // process 2
                try (Channel channel = Ipc.open(args[1])) {
                    opened(channel);
                    byte[] order = channel.receive();                          // blocks until a message arrives
                    System.out.println("ORDER " + new String(order, StandardCharsets.UTF_8));
                    channel.send("accepted".getBytes(StandardCharsets.UTF_8));
                }
                System.exit(0);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static void opened(Channel channel) {
        System.out.println("OPEN " + ((MessageQueueChannel) channel).side());
        System.out.flush();
    }
}
