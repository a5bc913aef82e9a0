package org.ipc4j.mqueue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PermissionDeniedException;

/**
 * Child JVM of {@link MessageQueuePermissionIT}: started as root, it becomes user and group 65534 (nobody)
 * and opens the queue {@code args[0]}. Prints {@code DENIED <message>} and exits 0 on
 * {@link PermissionDeniedException}, prints {@code OPENED} and exits 0 when the open succeeds, exits 1 otherwise.
 * Every class it needs is loaded before the privileges go, since the class path may not be readable by nobody.
 */
public final class DropPrivilegesTestApp {
    interface Ids extends Library {
        int setgroups(long size, Object list);

        int setresgid(int r, int e, int s);

        int setresuid(int r, int e, int s);
    }

    private DropPrivilegesTestApp() {
    }

    public static void main(String[] args) throws Exception {
        Ids ids = Native.load("c", Ids.class);
        // Warm up every path the real attempt can take, so that no class is loaded after the switch.
        try {
            MessageQueue.open("ipc4j-surely-missing-queue");
        } catch (NoSuchObjectException expected) {
            expected.getMessage();
        }
        Class.forName(PermissionDeniedException.class.getName());
        Class.forName("org.ipc4j.mqueue.internal.MqErrors");
        new PermissionDeniedException("warm-up").getMessage();
        if (ids.setgroups(0, null) != 0 || ids.setresgid(65534, 65534, 65534) != 0 || ids.setresuid(65534, 65534, 65534) != 0) {
            System.out.println("CANNOT-DROP errno " + Native.getLastError());
            System.exit(1);
        }
        try (MessageQueue q = MessageQueue.open(args[0])) {
            System.out.println("OPENED " + q.maxMessageSize());
        } catch (PermissionDeniedException e) {
            System.out.println("DENIED " + e.getMessage());
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }
}
