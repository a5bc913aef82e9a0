package org.ipc4j.testkit;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.ipc4j.api.Channel;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.PeerGoneException;

/**
 * The far end of the cross-process contract tests: opens {@code args[0]} with {@link Ipc#open(String)},
 * prints {@value #READY}, and sends back every message it receives, until it receives {@link #STOP}
 * (which it echoes, then exits 0) or the peer goes away (exit 0). Any other failure exits 1 with the
 * stack trace on standard error.
 */
public final class EchoTestApp {
    /** Printed once the channel is open. */
    public static final String READY = "ECHO-READY";
    /** The message that ends the echo loop; tests never send these bytes as data. */
    public static final byte[] STOP = "\u0000ipc4j-echo-stop\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    private EchoTestApp() {
    }

    public static void main(String[] args) {
        try (Channel channel = Ipc.open(args[0])) {
            System.out.println(READY);
            System.out.flush();
            ByteBuffer buffer = ByteBuffer.allocateDirect(channel.maxMessageSize());
            while (true) {
                buffer.clear();
                int length;
                try {
                    length = channel.receive(buffer);
                } catch (PeerGoneException e) {
                    System.exit(0);
                    return;
                }
                buffer.flip();
                boolean stop = length == STOP.length && isStop(buffer);
                channel.send(buffer);
                if (stop) {
                    break;
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static boolean isStop(ByteBuffer message) {
        byte[] bytes = new byte[message.remaining()];
        message.duplicate().get(bytes);
        return Arrays.equals(bytes, STOP);
    }
}
