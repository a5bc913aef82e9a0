package org.ipc4j.pipe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.ipc4j.api.Channel;
import org.ipc4j.api.PeerGoneException;

/**
 * A Java child for the ChildProcess tests. Prints to System.out before and after opening its
 * ParentChannel (which must never reach the channel), then echoes every message. Commands (as messages):
 * {@code print:TEXT} prints TEXT to System.out and echoes; {@code stderr:TEXT} prints TEXT to System.err and
 * echoes; {@code exit:N} echoes and exits with N; {@code sleep} stops reading for good. When the parent closes
 * its end, prints "parent gone" to standard error and exits with {@value #EXIT_PARENT_GONE}.
 */
public final class PipeEchoTestApp {
    static final int EXIT_PARENT_GONE = 42;

    private PipeEchoTestApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("stray output before open");
        System.out.print("\u0000ipc4j-pi");   // a partial marker must not confuse the parent
        System.out.println();
        Channel parent = ParentChannel.open();
        System.out.println("stray output after open: this goes to standard error");
        ByteBuffer buffer = ByteBuffer.allocate(parent.maxMessageSize());
        while (true) {
            buffer.clear();
            int length;
            try {
                length = parent.receive(buffer);
            } catch (PeerGoneException e) {
                System.err.println("parent gone: " + e.getMessage());
                System.exit(EXIT_PARENT_GONE);
                return;
            }
            buffer.flip();
            String text = length < 64 ? StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString() : "";
            if (text.startsWith("print:")) {
                System.out.println(text.substring(6));
            } else if (text.startsWith("stderr:")) {
                System.err.println(text.substring(7));
            } else if (text.equals("sleep")) {
                Thread.sleep(Long.MAX_VALUE);
            }
            parent.send(buffer);
            if (text.startsWith("exit:")) {
                parent.close();
                System.exit(Integer.parseInt(text.substring(5)));
            }
        }
    }
}
