package org.ipc4j.mqueue.internal;

import com.sun.jna.Native;
import org.ipc4j.api.Capability;
import org.ipc4j.api.UnsupportedPlatformException;

/**
 * Decides once whether POSIX message queues can be used in this process, without letting an
 * {@link UnsatisfiedLinkError} escape: the native bindings ({@link LinuxLibc}) are loaded only on Linux with
 * 64-bit pointers, and a failure to load them becomes a reason in words.
 */
public final class MqSupport {
    public static final String SCHEME = "mq";
    public static final String MECHANISM = "POSIX message queue";
    public static final String ARTIFACT = "org.ipc4j:ipc-mqueue";

    /** Why message queues cannot be used here, or {@code null} if they can. Computed on first use. */
    private static volatile String unsupportedReason;
    private static volatile boolean probed;

    private MqSupport() {
    }

    /**
     * The reason message queues are unsupported on the given platform, or {@code null} if the platform
     * itself is fine (the native library is checked separately). Pure, so it can be tested anywhere.
     */
    public static String platformReason(String osName, String arch, int pointerSize) {
        String os = osName == null ? "" : osName.toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "macOS has no POSIX message queues (mq_open is not implemented); use a Unix domain socket"
                    + " (ipc-socket) or shared memory (ipc-shm) instead";
        }
        if (os.startsWith("windows")) {
            return "Windows has no POSIX message queues; use a named pipe, TCP socket (ipc-socket) or shared"
                    + " memory (ipc-shm) instead";
        }
        if (!os.startsWith("linux")) {
            return "POSIX message queues are only supported on Linux by ipc4j, not on " + osName;
        }
        if (pointerSize != 8) {
            return "ipc4j's message-queue bindings need a 64-bit JVM; this one has " + (pointerSize * 8)
                    + "-bit pointers (" + arch + ")";
        }
        return null;
    }

    /** Whether message queues work here; never throws. */
    public static boolean isSupported() {
        return reason() == null;
    }

    /**
     * Throws if message queues do not work here.
     *
     * @throws UnsupportedPlatformException with the reason
     */
    public static void check() throws UnsupportedPlatformException {
        String reason = reason();
        if (reason != null) {
            throw new UnsupportedPlatformException("POSIX message queues are not available: " + reason);
        }
    }

    /** The capability record for {@code mq:}. */
    public static Capability capability() {
        String reason = reason();
        return new Capability(SCHEME, MECHANISM, ARTIFACT, reason == null,
                reason == null ? "Linux mq_open and mq_timedsend/receive through JNA; asynchronous receive on one epoll thread" : reason);
    }

    private static String reason() {
        if (!probed) {
            synchronized (MqSupport.class) {
                if (!probed) {
                    unsupportedReason = probe();
                    probed = true;
                }
            }
        }
        return unsupportedReason;
    }

    private static String probe() {
        int pointerSize;
        try {
            pointerSize = Native.POINTER_SIZE;
        } catch (Throwable t) {
            return "the JNA native library could not be loaded: " + t;
        }
        String platform = platformReason(System.getProperty("os.name"), System.getProperty("os.arch"), pointerSize);
        if (platform != null) {
            return platform;
        }
        try {
            // Loads and binds LinuxLibc: fails here, caught, if the C library lacks the functions.
            return LinuxLibc.MQ_ATTR_SIZE > 0 && LinuxLibc.VARIADIC != null ? null : "unreachable";
        } catch (Throwable t) {
            return "the C library does not provide POSIX message queues: " + t;
        }
    }
}
