package org.ipc4j.testkit;

import java.nio.ByteBuffer;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.Sender;
import org.ipc4j.testkit.ChannelContract.Messages;

/**
 * The far end of {@link OneWayContract}'s cross-process tests: {@code OPENER ADDRESS send|receive COUNT}.
 * Opens its end with the {@link OneWayRemote.Opener} class named, prints {@value #READY}, then either sends
 * {@code COUNT} numbered messages of {@link #size(int)} bytes and closes, or receives and checks
 * {@code COUNT} of them (printing {@value #GOT}N for each when COUNT is -1, i.e. until killed) and prints
 * {@value #RECEIVED_ALL}. Exits 0 on success, 1 with the stack trace on any failure.
 */
public final class OneWayPeerTestApp {
    /** Printed once the end is open. */
    public static final String READY = "ONE-WAY-READY";
    /** Printed, followed by the sequence number, per message received when receiving until killed. */
    public static final String GOT = "GOT ";
    /** Printed when every expected message has arrived intact and in order. */
    public static final String RECEIVED_ALL = "RECEIVED-ALL";

    private OneWayPeerTestApp() {
    }

    /** The size of message {@code i}: at least the numbered minimum, up to about 2 KiB. */
    public static int size(int i) {
        return Messages.MIN_NUMBERED + (i * 37) % 2041;
    }

    public static void main(String[] args) {
        try {
            java.lang.reflect.Constructor<?> made = Class.forName(args[0]).getDeclaredConstructor();
            made.setAccessible(true);
            OneWayRemote.Opener opener = (OneWayRemote.Opener) made.newInstance();
            String address = args[1];
            int count = Integer.parseInt(args[3]);
            if (args[2].equals("send")) {
                try (Sender sender = opener.openSender(address)) {
                    ready();
                    for (int i = 0; i < count; i++) {
                        sender.send(Messages.numbered(i, size(i)));
                    }
                }
            } else {
                try (Receiver receiver = opener.openReceiver(address)) {
                    ready();
                    ByteBuffer buffer = ByteBuffer.allocate(receiver.maxMessageSize());
                    for (int i = 0; count < 0 || i < count; i++) {
                        int length = receiver.receive(buffer.clear());
                        if (length != size(i)) {
                            throw new AssertionError("message " + i + ": " + length + " bytes, expected " + size(i));
                        }
                        Messages.assertNumbered(buffer.flip(), i, length);
                        if (count < 0) {
                            System.out.println(GOT + i);
                            System.out.flush();
                        }
                    }
                    System.out.println(RECEIVED_ALL);
                    System.out.flush();
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void ready() {
        System.out.println(READY);
        System.out.flush();
    }
}
