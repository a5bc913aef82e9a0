package org.ipc4j.mqueue.internal;

import org.ipc4j.api.internal.posix.Limit;
import org.ipc4j.api.internal.posix.OsConstants;

/**
 * The live limits that govern message queues on Linux, as {@link Limit}s of the shared native layer: read
 * when an error needs them (never cached: an administrator may raise them while the application runs).
 */
public final class SystemLimits {
    /** Messages a queue may hold, for processes without {@code CAP_SYS_RESOURCE}. */
    public static final Limit MSG_MAX = Limit.sysctl("fs.mqueue.msg_max", "messages");
    /** Bytes a message may have, for processes without {@code CAP_SYS_RESOURCE}. */
    public static final Limit MSGSIZE_MAX = Limit.sysctl("fs.mqueue.msgsize_max", "bytes");
    /** Queues of the whole system (IPC namespace), for processes without {@code CAP_SYS_RESOURCE}. */
    public static final Limit QUEUES_MAX = Limit.sysctl("fs.mqueue.queues_max", "queues");
    /** The bytes all queues of one user may take, for everyone, root included. */
    public static final Limit BUDGET = Limit.rlimit("RLIMIT_MSGQUEUE", OsConstants.RLIMIT_MSGQUEUE, "bytes",
            "raise it: ulimit -q, 'msgqueue' in limits.conf, LimitMSGQUEUE= in systemd");

    /** The depth a queue created without one gets. */
    public static final String MSG_DEFAULT = "/proc/sys/fs/mqueue/msg_default";
    /** The message size a queue created without one gets. */
    public static final String MSGSIZE_DEFAULT = "/proc/sys/fs/mqueue/msgsize_default";

    private SystemLimits() {
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
