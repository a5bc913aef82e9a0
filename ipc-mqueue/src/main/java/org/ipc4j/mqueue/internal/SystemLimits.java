package org.ipc4j.mqueue.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live limits that govern message queues on Linux, read when an error needs them (never cached: an
 * administrator may raise them while the application runs).
 */
public final class SystemLimits {
    public static final String MSG_MAX = "/proc/sys/fs/mqueue/msg_max";
    public static final String MSGSIZE_MAX = "/proc/sys/fs/mqueue/msgsize_max";
    public static final String QUEUES_MAX = "/proc/sys/fs/mqueue/queues_max";
    public static final String MSG_DEFAULT = "/proc/sys/fs/mqueue/msg_default";
    public static final String MSGSIZE_DEFAULT = "/proc/sys/fs/mqueue/msgsize_default";

    private SystemLimits() {
    }

    /**
     * A number from a /proc file, or -1 if it cannot be read. Read with one large {@code read}: sysctl files
     * report size 0, and a second read at a non-zero offset returns end-of-file, so
     * {@link Files#readAllBytes} (which starts with a one-byte read for such files) sees only the first digit.
     */
    public static long proc(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return n <= 0 ? -1 : Long.parseLong(new String(buffer, 0, n, StandardCharsets.US_ASCII).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The soft limit of {@code resource} ({@link LinuxLibc#RLIMIT_MSGQUEUE}...), or -1 if unknown or unlimited. */
    public static long softRlimit(int resource) {
        try (Memory m = new Memory(16)) {
            if (LinuxLibc.getrlimit(resource, Pointer.nativeValue(m)) != 0) {
                Native.getLastError();
                return -1;
            }
            return m.getLong(0); // RLIM_INFINITY is ~0, read as -1
        }
    }

    /**
     * Bytes a queue charges against RLIMIT_MSGQUEUE, as Linux computes it since 3.5: per message its
     * size plus the kernel's bookkeeping (a {@code struct msg_msg} and a share of the priority tree),
     * estimated here at 96 bytes; the estimate is for messages, not a promise.
     */
    public static long estimatedQueueBytes(long maxMessages, long maxMessageSize) {
        return maxMessages * (maxMessageSize + 96);
    }
}
