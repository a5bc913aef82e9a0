package org.ipc4j.mqueue.internal;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Errno;

/**
 * Turns the errno of a failed message-queue call into the exception a user can act on, naming the limit
 * that was hit with its live value and how to raise it. Runs after errno was saved, so reading /proc here
 * cannot disturb it.
 */
public final class MqErrors {
    private MqErrors() {
    }

    /**
     * The exception for a failed {@code mq_open}.
     *
     * @param created whether O_CREAT was given
     * @param maxMessages,maxMessageSize the attributes asked for: depth in messages, maxmsg in bytes
     */
    public static IpcException open(String name, boolean created, boolean exclusive, long maxMessages,
            long maxMessageSize, int mode, int errno) {
        switch (errno) {
            case Errno.EEXIST:
                return new ObjectExistsException(Errno.message("mq_open", name, errno,
                        "a message queue of this name exists and an exclusive create was asked; open it with"
                                + " OpenMode.OPEN or OPEN_OR_CREATE, or unlink it first (MessageQueue.unlink)"));
            case Errno.ENOENT:
                return new NoSuchObjectException(Errno.message("mq_open", name, errno,
                        "no message queue of this name exists; create it (OpenMode.CREATE or OPEN_OR_CREATE)"
                                + " or check the name"));
            case Errno.EACCES:
                return new PermissionDeniedException(Errno.message("mq_open", name, errno,
                        "the queue exists but its permissions do not allow this user to read and write it"
                                + " (a new queue gets mode 0" + Integer.toOctalString(mode) + "); open it as the"
                                + " owner, or have the creator use OpenOptions.permissions(0660/0666)"));
            case Errno.EINVAL:
                return invalid(name, created, maxMessages, maxMessageSize, errno);
            case Errno.EMFILE:
                return tooMany(name, created, maxMessages, maxMessageSize, errno);
            case Errno.ENFILE:
                return new LimitReachedException(Errno.message("mq_open", name, errno,
                        "the system-wide limit on open files is reached (/proc/sys/fs/file-max = "
                                + SystemLimits.proc("/proc/sys/fs/file-max") + "); close unused files or raise it"),
                        "/proc/sys/fs/file-max", SystemLimits.proc("/proc/sys/fs/file-max"));
            case Errno.ENOSPC: {
                long queuesMax = SystemLimits.proc(SystemLimits.QUEUES_MAX);
                return new LimitReachedException(Errno.message("mq_open", name, errno,
                        "the system-wide number of message queues is at its maximum " + SystemLimits.QUEUES_MAX
                                + " = " + queuesMax + "; unlink queues that are no longer used, or raise it"
                                + " (sysctl fs.mqueue.queues_max=N, as root)"),
                        SystemLimits.QUEUES_MAX, queuesMax);
            }
            case Errno.ENAMETOOLONG:
                return Errno.exception("mq_open", name, errno, "the name is too long for this system");
            case Errno.ENOSYS:
                return Errno.exception("mq_open", name, errno,
                        "the kernel was built without POSIX message queues (CONFIG_POSIX_MQUEUE)");
            default:
                return Errno.exception("mq_open", name, errno, null);
        }
    }

    private static IpcException invalid(String name, boolean created, long maxMessages, long maxMessageSize, int errno) {
        if (created) {
            long msgMax = SystemLimits.proc(SystemLimits.MSG_MAX);
            long msgsizeMax = SystemLimits.proc(SystemLimits.MSGSIZE_MAX);
            if (msgMax > 0 && maxMessages > msgMax) {
                return new LimitReachedException(Errno.message("mq_open", name, errno,
                        "depth=" + maxMessages + " is above the system limit " + SystemLimits.MSG_MAX + " = "
                                + msgMax + "; ask for at most " + msgMax + " messages, or raise the limit"
                                + " (sysctl fs.mqueue.msg_max=N, as root; processes with CAP_SYS_RESOURCE may exceed it)"),
                        SystemLimits.MSG_MAX, msgMax);
            }
            if (msgsizeMax > 0 && maxMessageSize > msgsizeMax) {
                return new LimitReachedException(Errno.message("mq_open", name, errno,
                        "maxmsg=" + maxMessageSize + " bytes is above the system limit " + SystemLimits.MSGSIZE_MAX
                                + " = " + msgsizeMax + "; ask for at most " + msgsizeMax + " bytes, or raise the"
                                + " limit (sysctl fs.mqueue.msgsize_max=N, as root)"),
                        SystemLimits.MSGSIZE_MAX, msgsizeMax);
            }
        }
        return Errno.exception("mq_open", name, errno, created
                ? "the kernel rejected the attributes depth=" + maxMessages + ", maxmsg=" + maxMessageSize
                : null);
    }

    private static IpcException tooMany(String name, boolean created, long maxMessages, long maxMessageSize, int errno) {
        long budget = SystemLimits.softRlimit(LinuxLibc.RLIMIT_MSGQUEUE);
        long files = SystemLimits.softRlimit(LinuxLibc.RLIMIT_NOFILE);
        if (created) {
            long cost = SystemLimits.estimatedQueueBytes(maxMessages, maxMessageSize);
            return new LimitReachedException(Errno.message("mq_open", name, errno,
                    "this user's message-queue byte budget RLIMIT_MSGQUEUE = " + budget + " bytes is used up by"
                            + " its existing queues (a queue of " + maxMessages + " x " + maxMessageSize
                            + " bytes needs about " + cost + "); unlink queues that are no longer used, create"
                            + " smaller ones, or raise the limit (ulimit -q, 'msgqueue' in limits.conf,"
                            + " LimitMSGQUEUE= in systemd). If the process instead ran out of file descriptors,"
                            + " RLIMIT_NOFILE is " + files),
                    "RLIMIT_MSGQUEUE", budget);
        }
        return new LimitReachedException(Errno.message("mq_open", name, errno,
                "this process has no file descriptor left (RLIMIT_NOFILE = " + files + "); close unused"
                        + " descriptors or raise the limit (ulimit -n)"),
                "RLIMIT_NOFILE", files);
    }
}
