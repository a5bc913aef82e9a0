package org.ipc4j.mqueue;

import java.nio.charset.StandardCharsets;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;

/**
 * A peer for the session tests: opens {@code args[0]}, prints {@code OPEN <side> <partner present>},
 * receives {@code args[1]} messages (printing {@code GOT <text>} for each), sends {@code back}, then either
 * holds the channel open without reading ({@code args[2] = hold}, printing {@code HOLDING}; the test kills it)
 * or closes it and exits 0 ({@code close}). Any failure exits 1 with the stack trace.
 */
public final class PeerTestApp {
    private PeerTestApp() {
    }

    public static void main(String[] args) {
        try {
            try (Channel channel = Ipc.open(args[0])) {
                MessageQueueChannel mq = (MessageQueueChannel) channel;
                System.out.println("OPEN " + mq.side() + " " + mq.partnerPresentAtOpen());
                System.out.flush();
                for (int i = Integer.parseInt(args[1]); i > 0; i--) {
                    System.out.println("GOT " + new String(channel.receive(), StandardCharsets.UTF_8));
                    System.out.flush();
                }
                channel.send("back".getBytes(StandardCharsets.UTF_8));
                if (args[2].equals("hold")) {
                    System.out.println("HOLDING");
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                }
            }
            System.out.println("CLOSED");
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
