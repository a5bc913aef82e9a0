package org.ipc4j.mqueue.internal;

import org.ipc4j.api.Capability;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.posix.NativeSupport;

/**
 * Decides once whether POSIX message queues can be used in this process, without letting an
 * {@link UnsatisfiedLinkError} escape: first what this module knows about the platform (macOS and Windows
 * have no message queues, and what to use there instead), then whether the shared bindings
 * ({@link NativeSupport.Binding#LIBC}, {@link NativeSupport.Binding#MQ}) can be called. Nothing native is
 * touched before the first probe. The epoll binding of asynchronous receive is probed on first use
 * ({@link QueueHandle#poller()}).
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
     * The reason message queues are unsupported on the operating system {@code osName}, or {@code null} if
     * it has them (the bindings are checked separately). Pure, so it can be tested anywhere.
     */
    public static String platformReason(String osName) {
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
        String platform = platformReason(System.getProperty("os.name"));
        if (platform != null) {
            return platform;
        }
        String reason = NativeSupport.unavailableReason(NativeSupport.Binding.LIBC);
        return reason != null ? reason : NativeSupport.unavailableReason(NativeSupport.Binding.MQ);
    }
}
