package org.ipc4j.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * The README's quick start: process {@code args[0]} ("1" or "2") on the address {@code args[1]}, with the
 * README's code and nothing changed but the address. Prints {@value #OPENING} just before it opens, then
 * {@code REPLY <text>} (process 1) or {@code ORDER <text>} (process 2); exits 0 when its half worked, 1
 * with the stack trace otherwise.
 */
public final class QuickStartTestApp {
    static final String OPENING = "QUICKSTART-OPENING";

    private QuickStartTestApp() {
    }

    public static void main(String[] args) {
        String address = args[1];
        try {
            System.out.println(OPENING);
            System.out.flush();
            if (args[0].equals("1")) {
                byte[] reply;
                // --- README process 1 ---
                try (Channel channel = Ipc.open(address)) {
                    channel.send("order 42".getBytes(StandardCharsets.UTF_8));
                    reply = channel.receive(Duration.ofSeconds(30));   // null on timeout
                }
                System.out.println("REPLY " + (reply == null ? "(none)" : new String(reply, StandardCharsets.UTF_8)));
                System.exit(reply == null ? 1 : 0);
            } else {
                byte[] order;
                // --- README process 2 ---
                try (Channel channel = Ipc.open(address)) {
                    order = channel.receive();                          // blocks until a message arrives
                    channel.send("accepted".getBytes(StandardCharsets.UTF_8));
                }
                System.out.println("ORDER " + new String(order, StandardCharsets.UTF_8));
                System.exit(0);
            }
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
