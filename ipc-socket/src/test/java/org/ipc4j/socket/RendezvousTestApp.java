package org.ipc4j.socket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * One of two identical programs that share nothing but an address ({@code args[0]}): it opens the address,
 * says hello, takes the peer's hello and closes, the shape of the README's quick start. Prints
 * {@value #OPENING} before it opens and then {@code side a|b heard: <the peer's hello>}; exits 0, or 1 with
 * the stack trace.
 */
public final class RendezvousTestApp {
    static final String OPENING = "RENDEZVOUS-OPENING";

    private RendezvousTestApp() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(OPENING);
            System.out.flush();
            System.out.println(meet(args[0]));
            System.out.flush();
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Opens {@code address}, exchanges hellos with whoever opens it too, closes; says which side it took. */
    static String meet(String address) throws Exception {
        try (Channel channel = Ipc.open(address)) {
            String me = "hello from " + ProcessHandle.current().pid() + "/" + Thread.currentThread().getName();
            channel.send(me.getBytes(StandardCharsets.UTF_8));
            byte[] heard = channel.receive(Duration.ofSeconds(30));
            String side = channel.toString().contains("(side a)") ? "a" : "b";
            return "side " + side + " heard: " + (heard == null ? "nothing" : new String(heard, StandardCharsets.UTF_8));
        }
    }
}
