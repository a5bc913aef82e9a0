package org.ipc4j.mqueue.internal;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.ErrnoHints;
import org.ipc4j.api.internal.posix.Limit;

/**
 * What the errors of the message-queue calls mean for a user, as {@link ErrnoHints} tables for the shared
 * errno mapping ({@link org.ipc4j.api.internal.posix.NativeErrors}): which limit an errno means, so that the
 * exception names it with its live value and how to raise it. Only {@link #open} adds what one call knows
 * (the mode and the sizes it asked for), and only once that call has failed.
 */
public final class MqErrors {
    /** {@code mq_open}, whatever the flags. */
    private static final ErrnoHints OPEN = ErrnoHints.none()
            .exists("a message queue of this name exists and an exclusive create was asked; open it with"
                    + " OpenMode.OPEN or OPEN_OR_CREATE, or unlink it first (MessageQueue.unlink)")
            .missing("no message queue of this name exists; create it (OpenMode.CREATE or OPEN_OR_CREATE) or check"
                    + " the name")
            .limit(Errno.ENOSPC, SystemLimits.QUEUES_MAX, "the system-wide number of message queues is at its"
                    + " maximum; unlink queues that are no longer used")
            .on(Errno.ENAMETOOLONG, "the name is too long for this system")
            .on(Errno.ENOSYS, "the kernel was built without POSIX message queues (CONFIG_POSIX_MQUEUE)");

    /** {@code mq_unlink}. */
    public static final ErrnoHints UNLINK = ErrnoHints.none()
            .denied("only the owner of the queue (or a privileged process) may remove its name");

    private MqErrors() {
    }

    /**
     * The exception for a failed {@code mq_open}.
     *
     * @param created whether O_CREAT was given: then EINVAL and EMFILE are about the attributes asked for
     * @param depth,maxMessageSize the attributes asked for: messages, and bytes per message
     * @param mode the permissions a new queue gets
     */
    public static IpcException open(String name, boolean created, long depth, long maxMessageSize, int mode,
            int errno) {
        ErrnoHints hints = OPEN.on(Errno.EACCES, "the queue exists but its permissions do not allow this user to"
                + " read and write it (a new queue gets mode 0" + Integer.toOctalString(mode) + "); open it as the"
                + " owner, or have the creator use OpenOptions.permissions(0660/0666)");
        if (created) {
            hints = hints
                    .exceeded(Errno.EINVAL, SystemLimits.MSG_MAX, "depth", depth, "ask for fewer messages"
                            + " (processes with CAP_SYS_RESOURCE may exceed the limit)")
                    .exceeded(Errno.EINVAL, SystemLimits.MSGSIZE_MAX, "maxmsg", maxMessageSize, "ask for smaller"
                            + " messages (processes with CAP_SYS_RESOURCE may exceed the limit)")
                    .on(Errno.EINVAL, "the kernel rejected the attributes depth=" + depth + ", maxmsg=" + maxMessageSize)
                    .limit(Errno.EMFILE, SystemLimits.BUDGET, "this user's existing queues use up its message-queue"
                            + " byte budget (a queue of " + depth + " x " + maxMessageSize + " bytes needs about "
                            + SystemLimits.estimatedQueueBytes(depth, maxMessageSize) + "); unlink queues that are no"
                            + " longer used or create smaller ones (if the process instead ran out of file"
                            + " descriptors: " + Limit.OPEN_FILES.describe(Limit.OPEN_FILES.value()) + ")");
        }
        return hints.exception("mq_open", name, errno);
    }

    /** The exception for {@code function(argument)} failing with {@code errno}, with {@code advice} whatever it is. */
    public static IpcException failed(String function, String argument, int errno, String advice) {
        return ErrnoHints.none().on(errno, advice).exception(function, argument, errno);
    }
}
