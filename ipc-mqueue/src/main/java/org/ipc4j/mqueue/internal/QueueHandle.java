package org.ipc4j.mqueue.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.Errno;

/**
 * One open message-queue descriptor and the guard that keeps it valid while threads use it: opening
 * ({@code mq_open} with the exact mode), the in-use count, closing, and the name operations. Both ends of
 * a {@code MessageQueue} share one handle.
 *
 * <p>The descriptor is closed only once the handle is closed <em>and</em> no thread is inside a native call
 * on it ({@link #enter()}/{@link #exit()}), so a concurrent close never makes another thread use a reused
 * descriptor number. Just before {@code mq_close} the handle runs its owner's release action (putting kept
 * messages back, leaving the poller), while the descriptor is still valid and no thread uses it.
 */
public final class QueueHandle {
    private static final long CLOSED = 1L << 62;
    private static final long RELEASE_WAIT_MILLIS = 2000;

    private final String name;
    private final String posixName;
    private final int fd;
    private final long maxMessages;
    private final int maxMessageSize;
    private final boolean created;

    /** {@link #CLOSED} bit plus the number of threads inside a native call on {@link #fd}. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicBoolean released = new AtomicBoolean();
    private final CountDownLatch releasedLatch = new CountDownLatch(1);
    private volatile Runnable beforeRelease = () -> { };
    private volatile IpcException releaseFailure;

    private QueueHandle(String name, String posixName, int fd, long maxMessages, int maxMessageSize, boolean created) {
        this.name = name;
        this.posixName = posixName;
        this.fd = fd;
        this.maxMessages = maxMessages;
        this.maxMessageSize = maxMessageSize;
        this.created = created;
    }

    /**
     * Opens or creates the queue {@code name} for sending and receiving.
     *
     * @param depth how many messages a new queue holds, or 0 for {@code msg_default}
     * @param maxMessageSize the largest message of a new queue in bytes, or 0 for {@code msgsize_default}
     * @throws IllegalArgumentException for a bad name or a negative attribute
     */
    public static QueueHandle open(String name, OpenOptions options, int depth, int maxMessageSize) throws IpcException {
        Objects.requireNonNull(options, "options");
        String posix = IpcNames.posix("message queue", name);
        if (depth < 0) {
            throw new IllegalArgumentException("depth (messages) must be positive, or 0 for the system default, got " + depth);
        }
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize (bytes) must be positive, or 0 for the system default, got "
                    + maxMessageSize);
        }
        MqSupport.check();
        long messages = depth > 0 ? depth : SystemLimits.proc(SystemLimits.MSG_DEFAULT);
        long bytes = maxMessageSize > 0 ? maxMessageSize : SystemLimits.proc(SystemLimits.MSGSIZE_DEFAULT);
        int mode = options.permissions();
        int base = LinuxLibc.O_RDWR | LinuxLibc.O_CLOEXEC;
        try (Memory attr = new Memory(LinuxLibc.MQ_ATTR_SIZE)) {
            attr.clear();
            attr.setLong(LinuxLibc.MQ_ATTR_MAXMSG, messages);
            attr.setLong(LinuxLibc.MQ_ATTR_MSGSIZE, bytes);
            Pointer attrOrNull = messages > 0 && bytes > 0 ? attr : null;
            // OPEN_OR_CREATE tries an exclusive create first so that it knows whether it created the queue
            // (and must set its exact mode); a racing creator or unlinker makes it retry a few times.
            for (int attempt = 0; ; attempt++) {
                if (options.mayCreate()) {
                    int fd = LinuxLibc.VARIADIC.mq_open(posix, base | LinuxLibc.O_CREAT | LinuxLibc.O_EXCL, mode, attrOrNull);
                    if (fd >= 0) {
                        return opened(name, posix, fd, true, mode);
                    }
                    int errno = Native.getLastError();
                    if (errno != Errno.EEXIST || options.mode() == OpenMode.CREATE) {
                        throw MqErrors.open(posix, true, options.mode() == OpenMode.CREATE, messages, bytes, mode, errno);
                    }
                }
                int fd = LinuxLibc.VARIADIC.mq_open(posix, base);
                if (fd >= 0) {
                    return opened(name, posix, fd, false, mode);
                }
                int errno = Native.getLastError();
                if (errno != Errno.ENOENT || !options.mayCreate() || attempt >= 5) {
                    throw MqErrors.open(posix, false, false, messages, bytes, mode, errno);
                }
            }
        }
    }

    private static QueueHandle opened(String name, String posix, int fd, boolean created, int mode) throws IpcException {
        try {
            if (created && (mode & 077) != 0 && LinuxLibc.fchmod(fd, mode) != 0) {
                // The umask may have narrowed group/other bits the caller asked for; set them exactly. Widening
                // after creation is safe: nobody else could open the queue in between.
                throw Errno.exception("fchmod", posix, Native.getLastError(), "setting the permissions of the new queue");
            }
            long[] attributes = getattr(fd, posix);
            if (attributes[1] > Integer.MAX_VALUE - 64) {
                throw new IpcException("message queue " + posix + " has messages of up to " + attributes[1]
                        + " bytes, more than a Java buffer holds");
            }
            return new QueueHandle(name, posix, fd, attributes[0], (int) attributes[1], created);
        } catch (IpcException | RuntimeException e) {
            LinuxLibc.mq_close(fd);
            if (created) {
                LinuxLibc.mq_unlink(posix);
            }
            throw e;
        }
    }

    /** {@code mq_getattr}: capacity in messages, message size, messages queued now. */
    private static long[] getattr(int fd, String posix) throws IpcException {
        NativeScratch scratch = NativeScratch.get();
        if (LinuxLibc.mq_getattr(fd, scratch.address(NativeScratch.ATTR)) != 0) {
            throw Errno.exception("mq_getattr", posix, Native.getLastError(), null);
        }
        ByteBuffer m = scratch.memory();
        return new long[] {m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MAXMSG),
            m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_MSGSIZE),
            m.getLong(NativeScratch.ATTR + LinuxLibc.MQ_ATTR_CURMSGS)};
    }

    /**
     * Removes a queue's name.
     *
     * @return whether a queue of that name existed
     */
    public static boolean unlink(String name) throws IpcException {
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        if (LinuxLibc.mq_unlink(posix) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return false;
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            throw new PermissionDeniedException(Errno.message("mq_unlink", posix, errno,
                    "only the owner of the queue (or a privileged process) may remove its name"));
        }
        throw Errno.exception("mq_unlink", posix, errno, null);
    }

    /** Whether a queue of this name exists. */
    public static boolean exists(String name) throws IpcException {
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        int fd = LinuxLibc.VARIADIC.mq_open(posix, LinuxLibc.O_RDONLY | LinuxLibc.O_CLOEXEC);
        if (fd >= 0) {
            LinuxLibc.mq_close(fd);
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ENOENT) {
            return false;
        }
        if (errno == Errno.EACCES) {
            return true;
        }
        throw Errno.exception("mq_open", posix, errno, null);
    }

    public String name() {
        return name;
    }

    public String posixName() {
        return posixName;
    }

    /** The descriptor; valid only between {@link #enter()} and {@link #exit()}, or in the release action. */
    public int fd() {
        return fd;
    }

    public long maxMessages() {
        return maxMessages;
    }

    public int maxMessageSize() {
        return maxMessageSize;
    }

    public boolean created() {
        return created;
    }

    /** The attributes now: capacity, message size, messages queued. */
    public long[] attributes() throws IpcException {
        enter();
        try {
            return getattr(fd, posixName);
        } finally {
            exit();
        }
    }

    /** What runs once, just before {@code mq_close}, with the descriptor still valid and unused. */
    public void onRelease(Runnable action) {
        beforeRelease = Objects.requireNonNull(action, "action");
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /** Counts the caller as inside a native call on the descriptor; fails if closed. */
    public void enter() throws EndpointClosedException {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw closedException();
            }
        } while (!state.compareAndSet(s, s + 1));
    }

    public void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /** Whether the calling thread may sleep in the kernel: the handle is open and the thread not interrupted. */
    public boolean waitable() {
        return (state.get() & CLOSED) == 0 && !Thread.currentThread().isInterrupted();
    }

    /** Between two slices of a wait: throws if the handle was closed or the thread interrupted. */
    public void checkWaitable() throws EndpointClosedException, InterruptedIOException {
        if (!isOpen()) {
            throw closedException();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on message queue " + posixName);
        }
    }

    public EndpointClosedException closedException() {
        return new EndpointClosedException("message queue " + posixName);
    }

    /**
     * Marks the handle closed, so that waiting threads leave at their next slice and new calls fail. The
     * descriptor is released now if no thread is inside a native call, else by the last one to leave.
     *
     * @return whether this call closed it (false if it was closed already)
     */
    public boolean close() {
        long before = state.getAndUpdate(s -> s | CLOSED);
        if ((before & CLOSED) != 0) {
            return false;
        }
        if (before == 0) {
            release();
        }
        return true;
    }

    /**
     * Waits (briefly) until the descriptor has been released.
     *
     * @return the failure of {@code mq_close}, or {@code null}; also {@code null} if a thread is still inside a
     *     native call after the wait (the descriptor is then closed when it leaves)
     */
    public IpcException awaitRelease() {
        try {
            if (!releasedLatch.await(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return releaseFailure;
    }

    /** Whether the descriptor has been closed. */
    public boolean released() {
        return releasedLatch.getCount() == 0;
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            beforeRelease.run();
            if (LinuxLibc.mq_close(fd) != 0) {
                releaseFailure = Errno.exception("mq_close", posixName, Native.getLastError(), null);
            }
        } finally {
            releasedLatch.countDown();
        }
    }

    @Override
    public String toString() {
        return "QueueHandle[" + posixName + ", fd " + fd + (isOpen() ? "" : ", closed") + "]";
    }
}
