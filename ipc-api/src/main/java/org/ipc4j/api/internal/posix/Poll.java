package org.ipc4j.api.internal.posix;

import java.nio.ByteBuffer;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.VirtualThreads;

/**
 * {@code poll(2)} on one descriptor, written once: the {@code struct pollfd} lives in the thread's
 * {@link Scratch} (no array copied in and out, nothing allocated), {@code EINTR} counts as "nothing yet"
 * (the caller's loop re-checks its deadline, close and interrupt), and any other failure becomes an
 * {@link IpcException} naming the call.
 *
 * <p>Waiting in slices: a thread must notice {@code close()} and {@link Thread#interrupt()} while it waits,
 * so callers wait with {@link #await(int, short, Deadline, int)} for at most one slice at a time and check
 * between slices. The descriptor must stay open during the call: the caller holds its {@link InUseGuard}.
 *
 * <p>A virtual thread that would wait (a timeout other than 0) does not call {@code poll}, which would hold
 * its carrier for the whole wait: it parks while a shared {@link ReadinessPoller}
 * waits in epoll for it, with the same result and the same timeout.
 */
public final class Poll {
    /** What {@link #ready} counts besides the events asked for: the descriptor will not block either way. */
    private static final short ALWAYS = (short) (OsConstants.POLLHUP | OsConstants.POLLERR | OsConstants.POLLNVAL);

    /** The mechanism name of the poller that waits for virtual threads (its thread: {@code ipc4j-fd-poller}). */
    private static final String POLLER = "fd";

    private Poll() {
    }

    /**
     * Forgets {@code fd} in the poller of virtual threads' waits, if it was ever used; call just before closing
     * a descriptor that {@link #revents} may have waited on, so that its number can be reused cleanly.
     */
    public static void forget(int fd) {
        ReadinessPoller poller = ReadinessPoller.ifCreated(POLLER);
        if (poller != null) {
            poller.forget(fd);
        }
    }

    /** Whether epoll can be called here; asked once, on the first wait of a virtual thread. */
    private static final class Epoll {
        static final boolean AVAILABLE = NativeSupport.isAvailable(NativeSupport.Binding.LINUX);
    }

    /**
     * Waits up to {@code timeoutMillis} (0: do not wait, negative: forever) for one of {@code events} on
     * {@code fd}.
     *
     * @return the {@code revents} bits ({@link OsConstants#POLLIN}, {@link OsConstants#POLLHUP}, ...); 0 on
     *     timeout or when a signal interrupted the wait
     * @throws IpcException if poll failed for another reason
     */
    public static int revents(int fd, short events, int timeoutMillis) throws IpcException {
        if (timeoutMillis != 0 && VirtualThreads.isCurrent() && Epoll.AVAILABLE) {
            long nanos = timeoutMillis < 0 ? -1 : timeoutMillis * 1_000_000L;
            return ReadinessPoller.forMechanism(POLLER).await(fd, events, nanos);
        }
        return pollNative(fd, events, timeoutMillis);
    }

    /** {@code poll(2)} itself, on any thread (a virtual thread holds its carrier meanwhile). */
    static int pollNative(int fd, short events, int timeoutMillis) throws IpcException {
        Scratch scratch = Scratch.get();
        ByteBuffer m = scratch.memory();
        m.putInt(Scratch.POLLFD + Structs.POLLFD_FD, fd);
        m.putShort(Scratch.POLLFD + Structs.POLLFD_EVENTS, events);
        m.putShort(Scratch.POLLFD + Structs.POLLFD_REVENTS, (short) 0);
        int n = Libc.poll(scratch.address(Scratch.POLLFD), 1, timeoutMillis);
        if (n < 0) {
            int errno = Libc.errno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw NativeErrors.exception("poll", "fd " + fd, errno);
        }
        return n == 0 ? 0 : m.getShort(Scratch.POLLFD + Structs.POLLFD_REVENTS) & 0xffff;
    }

    /**
     * Waits up to {@code timeoutMillis} until an operation for {@code events} would not block: one of the
     * events happened, or the descriptor is hung up, in error or invalid.
     */
    public static boolean ready(int fd, short events, int timeoutMillis) throws IpcException {
        return (revents(fd, events, timeoutMillis) & (events | ALWAYS)) != 0;
    }

    /**
     * One slice of a wait: polls for at most {@code sliceMillis} or what remains of {@code deadline},
     * whichever is shorter, and at least 1 ms (a deadline that has passed polls without waiting).
     *
     * @return the {@code revents} bits, 0 if nothing happened in this slice
     */
    public static int await(int fd, short events, Deadline deadline, int sliceMillis) throws IpcException {
        long remaining = deadline.remainingNanos();
        int millis = remaining == 0 ? 0 : (int) Math.max(1, Math.min(sliceMillis, remaining / 1_000_000));
        return revents(fd, events, millis);
    }
}
