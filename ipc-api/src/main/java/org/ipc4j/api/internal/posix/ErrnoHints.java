package org.ipc4j.api.internal.posix;

import java.util.Arrays;
import java.util.Objects;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Errno;

/**
 * What one mechanism knows about the errors of its calls, as data for {@link NativeErrors}: per errno, the
 * advice a user needs and, where the errno means a limit, which {@link Limit} (so that the exception names it
 * with its live value and how to raise it). Immutable; each method returns an extended copy, so a mechanism
 * keeps its tables in constants and adds what only a call knows (the sizes it asked for) at the call:
 *
 * <pre>{@code
 * static final ErrnoHints MQ_OPEN = ErrnoHints.none()
 *         .exists("a message queue of this name exists; open it with OpenMode.OPEN or unlink it first")
 *         .limit(Errno.ENOSPC, Limit.sysctl("fs.mqueue.queues_max", "queues"),
 *                 "the system-wide number of message queues is at its maximum; unlink unused queues");
 *
 * throw MQ_OPEN.exceeded(Errno.EINVAL, Limit.sysctl("fs.mqueue.msg_max", "messages"), "depth", depth,
 *         "ask for fewer messages").exception("mq_open", name, errno);
 * }</pre>
 *
 * <p>Which hint applies to an errno: the first {@link #exceeded} hint whose requested value is above the
 * limit's live value; otherwise the hint for that errno added last; otherwise none, and {@link NativeErrors}
 * maps the errno by its defaults.
 */
public final class ErrnoHints {
    private static final ErrnoHints NONE = new ErrnoHints(new Hint[0]);

    /** One entry: a hint for {@code errno}; {@code limit} null for advice only; {@code requested} for exceeded. */
    record Hint(int errno, String advice, Limit limit, String parameter, long requested) {
        boolean conditional() {
            return parameter != null;
        }

        /** For an {@link #exceeded} hint: the live value of the limit if the request is above it, else -1. */
        long exceededValue() {
            long value = limit.value();
            return value > 0 && value != Limit.UNLIMITED && requested > value ? value : -1;
        }
    }

    private final Hint[] hints;

    private ErrnoHints(Hint[] hints) {
        this.hints = hints;
    }

    /** No hints: every errno is mapped by the defaults of {@link NativeErrors}. */
    public static ErrnoHints none() {
        return NONE;
    }

    /** Advice for {@code errno}; the exception type stays the default one for that errno. */
    public ErrnoHints on(int errno, String advice) {
        return with(new Hint(errno, Objects.requireNonNull(advice, "advice"), null, null, 0));
    }

    /** Advice for {@code EEXIST} ({@link org.ipc4j.api.ObjectExistsException}). */
    public ErrnoHints exists(String advice) {
        return on(Errno.EEXIST, advice);
    }

    /** Advice for {@code ENOENT} ({@link org.ipc4j.api.NoSuchObjectException}). */
    public ErrnoHints missing(String advice) {
        return on(Errno.ENOENT, advice);
    }

    /** Advice for {@code EACCES} and {@code EPERM} ({@link org.ipc4j.api.PermissionDeniedException}). */
    public ErrnoHints denied(String advice) {
        return on(Errno.EACCES, advice).on(Errno.EPERM, advice);
    }

    /**
     * {@code errno} means that {@code limit} was hit: a {@link org.ipc4j.api.LimitReachedException} naming it,
     * its live value and how to raise it, then {@code advice}. This is how {@code EAGAIN} (or any errno that
     * is a limit only for some calls) becomes a limit.
     */
    public ErrnoHints limit(int errno, Limit limit, String advice) {
        return with(new Hint(errno, advice, Objects.requireNonNull(limit, "limit"), null, 0));
    }

    /**
     * {@code errno} means that {@code limit} was hit if {@code requested} (the value of {@code parameter} the
     * call asked for) is above the limit's live value: e.g. {@code EINVAL} from {@code mq_open} when the depth
     * asked for is above {@code fs.mqueue.msg_max}. Otherwise this hint does not apply.
     */
    public ErrnoHints exceeded(int errno, Limit limit, String parameter, long requested, String advice) {
        return with(new Hint(errno, advice, Objects.requireNonNull(limit, "limit"),
                Objects.requireNonNull(parameter, "parameter"), requested));
    }

    /** The exception for {@code function(argument)} failing with {@code errno}, by these hints. */
    public IpcException exception(String function, String argument, int errno) {
        return NativeErrors.exception(function, argument, errno, this);
    }

    /** A hint that applies, with the live value of its limit as read for the decision (-1 without a limit). */
    record Selected(Hint hint, long value) {
    }

    /** The hint that applies to {@code errno}, or null. Reads each candidate limit once. */
    Selected select(int errno) {
        for (Hint h : hints) {
            if (h.errno() == errno && h.conditional()) {
                long value = h.exceededValue();
                if (value != -1) {
                    return new Selected(h, value);
                }
            }
        }
        for (int i = hints.length - 1; i >= 0; i--) {
            Hint h = hints[i];
            if (h.errno() == errno && !h.conditional()) {
                return new Selected(h, h.limit() == null ? -1 : h.limit().value());
            }
        }
        return null;
    }

    private ErrnoHints with(Hint hint) {
        Hint[] more = Arrays.copyOf(hints, hints.length + 1);
        more[hints.length] = hint;
        return new ErrnoHints(more);
    }
}
