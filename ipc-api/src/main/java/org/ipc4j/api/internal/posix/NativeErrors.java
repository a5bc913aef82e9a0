package org.ipc4j.api.internal.posix;

import java.util.StringJoiner;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NativeException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Errno;

/**
 * The one place where the errno of a failed native call becomes the exception a caller can act on. The
 * message always starts the same way, {@code function("argument") failed: NAME (text)}, followed by what
 * the mechanism's {@link ErrnoHints} add, e.g.
 * {@code mq_open("/jobs") failed: EMFILE (Too many open files); RLIMIT_MSGQUEUE is 819200 bytes; ...}.
 *
 * <table>
 *   <caption>Defaults (a mechanism's hints add advice, or turn another errno into a limit)</caption>
 *   <tr><th>errno</th><th>exception</th></tr>
 *   <tr><td>EEXIST</td><td>{@link ObjectExistsException}</td></tr>
 *   <tr><td>ENOENT, ENOTDIR</td><td>{@link NoSuchObjectException} (ENOTDIR: a directory of the path is
 *       not one)</td></tr>
 *   <tr><td>EACCES, EPERM</td><td>{@link PermissionDeniedException}</td></tr>
 *   <tr><td>EMFILE</td><td>{@link LimitReachedException}: {@code RLIMIT_NOFILE} with its live value</td></tr>
 *   <tr><td>ENFILE</td><td>{@link LimitReachedException}: {@code /proc/sys/fs/file-max}</td></tr>
 *   <tr><td>ENOSPC</td><td>{@link LimitReachedException}: {@code ENOSPC} (a mechanism names the real limit)</td></tr>
 *   <tr><td>any other, EAGAIN included</td><td>{@link NativeException} with function and errno</td></tr>
 * </table>
 *
 * Runs after errno was saved ({@link Libc#errno()}), so reading /proc or calling {@code getrlimit} for a
 * live value cannot disturb it. Pure Java apart from {@link Limit#softRlimit}, which asks
 * {@link NativeSupport} first.
 */
public final class NativeErrors {
    private NativeErrors() {
    }

    /** The exception for {@code function(argument)} failing with {@code errno}, by the defaults alone. */
    public static IpcException exception(String function, String argument, int errno) {
        return exception(function, argument, errno, ErrnoHints.none());
    }

    /**
     * The exception for {@code function(argument)} failing with {@code errno}.
     *
     * @param argument what the call was about (a name, a path), quoted in the message; null for none
     * @param hints the mechanism's knowledge of this call's errors
     */
    public static IpcException exception(String function, String argument, int errno, ErrnoHints hints) {
        ErrnoHints.Selected selected = hints.select(errno);
        ErrnoHints.Hint hint = selected == null ? null : selected.hint();
        if (hint != null && hint.limit() != null) {
            Limit limit = hint.limit();
            long value = selected.value();
            String reached = hint.conditional()
                    ? hint.parameter() + "=" + hint.requested() + " is above the limit: " + limit.describe(value)
                    : limit.describe(value);
            return limitReached(function, argument, errno, limit, value, reached, hint.advice());
        }
        String advice = hint == null ? null : hint.advice();
        String message = Errno.message(function, argument, errno, advice);
        switch (errno) {
            case Errno.EEXIST:
                return new ObjectExistsException(message);
            case Errno.ENOENT:
            case Errno.ENOTDIR:
                return new NoSuchObjectException(message);
            case Errno.EACCES:
            case Errno.EPERM:
                return new PermissionDeniedException(message);
            case Errno.EMFILE:
                return limitReached(function, argument, errno, Limit.OPEN_FILES, Limit.OPEN_FILES.value(), null, advice);
            case Errno.ENFILE:
                return limitReached(function, argument, errno, Limit.SYSTEM_FILES, Limit.SYSTEM_FILES.value(), null,
                        advice != null ? advice : "the whole system has run out of open files; close unused ones");
            case Errno.ENOSPC:
                return new LimitReachedException(Errno.message(function, argument, errno, advice != null ? advice
                        : "a device or a kernel table is full"), "ENOSPC", Limit.UNKNOWN);
            default:
                return new NativeException(message, function, errno);
        }
    }

    private static LimitReachedException limitReached(String function, String argument, int errno, Limit limit,
            long value, String reached, String advice) {
        StringJoiner detail = new StringJoiner("; ");
        detail.add(reached != null ? reached : limit.describe(value));
        if (advice != null && !advice.isEmpty()) {
            detail.add(advice);
        }
        if (!limit.howToRaise().isEmpty()) {
            detail.add(limit.howToRaise());
        }
        return new LimitReachedException(Errno.message(function, argument, errno, detail.toString()), limit.name(), value);
    }
}
