package org.ipc4j.mqueue.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.InUseGuard;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.Limit;
import org.ipc4j.api.internal.posix.MqCalls;
import org.ipc4j.api.internal.posix.NativeErrors;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.ReadinessPoller;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.api.internal.posix.Structs;

/**
 * One open message-queue descriptor and the guard that keeps it valid while threads use it: opening
 * ({@code mq_open} with the exact mode), closing, and the name operations. Both ends of a
 * {@code MessageQueue} share one handle. The calls are the shared bindings of {@link MqCalls}.
 *
 * <p>The descriptor is closed only once the handle is closed <em>and</em> no thread is inside a native call
 * on it ({@link #enter()}/{@link #exit()}, the shared {@link InUseGuard}), so a concurrent close never makes
 * another thread use a reused descriptor number. Just before {@code mq_close} the handle runs its owner's
 * release action (putting kept messages back), after leaving the shared poller,, while the descriptor is still valid and
 * no thread uses it.
 */
public final class QueueHandle {
    private static final long RELEASE_WAIT_MILLIS = 2000;
    /** The mechanism name of the shared poller (its thread: {@code ipc4j-mqueue-poller}). */
    private static final String POLLER = "mqueue";

    private final String name;
    private final String posixName;
    private final int fd;
    private final long maxMessages;
    private final int maxMessageSize;
    private final boolean created;
    private final InUseGuard guard;
    private volatile Runnable beforeRelease = () -> { };

    private QueueHandle(String name, String posixName, int fd, long maxMessages, int maxMessageSize, boolean created) {
        this.name = name;
        this.posixName = posixName;
        this.fd = fd;
        this.maxMessages = maxMessages;
        this.maxMessageSize = maxMessageSize;
        this.created = created;
        this.guard = new InUseGuard("message queue " + posixName, this::release);
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
        long messages = depth > 0 ? depth : Limit.readProc(SystemLimits.MSG_DEFAULT);
        long bytes = maxMessageSize > 0 ? maxMessageSize : Limit.readProc(SystemLimits.MSGSIZE_DEFAULT);
        int mode = options.permissions();
        int base = OsConstants.O_RDWR | OsConstants.O_CLOEXEC;
        long attr = messages > 0 && bytes > 0 ? attributes(messages, bytes) : 0; // 0: the system defaults
        // OPEN_OR_CREATE tries an exclusive create first so that it knows whether it created the queue
        // (and must set its exact mode); a racing creator or unlinker makes it retry a few times.
        for (int attempt = 0; ; attempt++) {
            if (options.mayCreate()) {
                int fd = MqCalls.mq_open(posix, base | OsConstants.O_CREAT | OsConstants.O_EXCL, mode, attr);
                if (fd >= 0) {
                    return opened(name, posix, fd, true, mode);
                }
                int errno = Libc.errno();
                if (errno != Errno.EEXIST || options.mode() == OpenMode.CREATE) {
                    throw MqErrors.open(posix, true, messages, bytes, mode, errno);
                }
            }
            int fd = MqCalls.mq_open(posix, base);
            if (fd >= 0) {
                return opened(name, posix, fd, false, mode);
            }
            int errno = Libc.errno();
            if (errno != Errno.ENOENT || !options.mayCreate() || attempt >= 5) {
                throw MqErrors.open(posix, false, messages, bytes, mode, errno);
            }
        }
    }

    /**
     * Writes a {@code struct mq_attr} with the given capacity and message size into the thread's scratch;
     * returns its address. Nothing else touches that slot until {@code mq_open} has read it.
     */
    private static long attributes(long messages, long bytes) {
        Scratch scratch = Scratch.get();
        ByteBuffer m = scratch.memory();
        for (int offset = 0; offset < Structs.MQ_ATTR_SIZE; offset += Long.BYTES) {
            m.putLong(Scratch.STRUCT + offset, 0);
        }
        m.putLong(Scratch.STRUCT + Structs.MQ_ATTR_MAXMSG, messages);
        m.putLong(Scratch.STRUCT + Structs.MQ_ATTR_MSGSIZE, bytes);
        return scratch.address(Scratch.STRUCT);
    }

    private static QueueHandle opened(String name, String posix, int fd, boolean created, int mode) throws IpcException {
        try {
            if (created && (mode & 077) != 0 && Libc.fchmod(fd, mode) != 0) {
                // The umask may have narrowed group/other bits the caller asked for; set them exactly. Widening
                // after creation is safe: nobody else could open the queue in between.
                throw MqErrors.failed("fchmod", posix, Libc.errno(), "setting the permissions of the new queue");
            }
            long[] attributes = getattr(fd, posix);
            if (attributes[1] > Integer.MAX_VALUE - 64) {
                throw new IpcException("message queue " + posix + " has messages of up to " + attributes[1]
                        + " bytes, more than a Java buffer holds");
            }
            return new QueueHandle(name, posix, fd, attributes[0], (int) attributes[1], created);
        } catch (IpcException | RuntimeException e) {
            MqCalls.mq_close(fd);
            if (created) {
                MqCalls.mq_unlink(posix);
            }
            throw e;
        }
    }

    /** {@code mq_getattr}: capacity in messages, message size, messages queued now. */
    private static long[] getattr(int fd, String posix) throws IpcException {
        Scratch scratch = Scratch.get();
        if (MqCalls.mq_getattr(fd, scratch.address(Scratch.STRUCT)) != 0) {
            throw NativeErrors.exception("mq_getattr", posix, Libc.errno());
        }
        ByteBuffer m = scratch.memory();
        return new long[] {m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_MAXMSG),
            m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_MSGSIZE),
            m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_CURMSGS)};
    }

    /**
     * Removes a queue's name.
     *
     * @return whether a queue of that name existed
     */
    public static boolean unlink(String name) throws IpcException {
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        if (MqCalls.mq_unlink(posix) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == Errno.ENOENT) {
            return false;
        }
        throw MqErrors.UNLINK.exception("mq_unlink", posix, errno);
    }

    /** Whether a queue of this name exists. */
    public static boolean exists(String name) throws IpcException {
        String posix = IpcNames.posix("message queue", name);
        MqSupport.check();
        int fd = MqCalls.mq_open(posix, OsConstants.O_RDONLY | OsConstants.O_CLOEXEC);
        if (fd >= 0) {
            MqCalls.mq_close(fd);
            return true;
        }
        int errno = Libc.errno();
        if (errno == Errno.ENOENT) {
            return false;
        }
        if (errno == Errno.EACCES) {
            return true;
        }
        throw NativeErrors.exception("mq_open", posix, errno);
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
        return guard.isOpen();
    }

    /** Counts the caller as inside a native call on the descriptor; fails if closed. */
    public void enter() throws EndpointClosedException {
        guard.enter();
    }

    public void exit() {
        guard.exit();
    }

    /** Whether the calling thread may sleep in the kernel: the handle is open and the thread not interrupted. */
    public boolean waitable() {
        return guard.isOpen() && !Thread.currentThread().isInterrupted();
    }

    /** Between two slices of a wait: throws if the handle was closed or the thread interrupted. */
    public void checkWaitable() throws EndpointClosedException, InterruptedIOException {
        guard.ensureOpen();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting on message queue " + posixName);
        }
    }

    /**
     * The shared poller of message-queue descriptors: it watches this queue for virtual threads (which park
     * instead of sleeping in {@code mq_timedreceive}/{@code mq_timedsend}, so they never hold a carrier) and
     * for asynchronous receives.
     */
    public static ReadinessPoller poller() throws IpcException {
        return ReadinessPoller.forMechanism(POLLER);
    }

    /**
     * For a virtual thread inside {@link #enter()}: parks until the queue has a message ({@code EPOLLIN}) or
     * room ({@code EPOLLOUT}), for at most {@code nanos}, or until the thread is interrupted; the caller then
     * makes its non-blocking call and re-checks close, interrupt and deadline as between slices.
     */
    public void parkUntilReady(int events, long nanos) throws IpcException {
        poller().await(fd, events, nanos);
    }

    public EndpointClosedException closedException() {
        return guard.closedException();
    }

    /**
     * Marks the handle closed, so that waiting threads leave at their next slice and new calls fail. The
     * descriptor is released now if no thread is inside a native call, else by the last one to leave.
     *
     * @return whether this call closed it (false if it was closed already)
     */
    public boolean close() {
        return guard.close();
    }

    /**
     * Waits (briefly) until the descriptor has been released.
     *
     * @return the failure of {@code mq_close}, or {@code null}; also {@code null} if a thread is still inside a
     *     native call after the wait (the descriptor is then closed when it leaves)
     */
    public IpcException awaitRelease() {
        return guard.awaitRelease(RELEASE_WAIT_MILLIS, TimeUnit.MILLISECONDS) ? guard.failure() : null;
    }

    /** Whether the descriptor has been closed. */
    public boolean released() {
        return guard.isReleased();
    }

    /** Runs once, by the guard, when the handle is closed and no thread uses the descriptor. */
    private void release() throws IpcException {
        ReadinessPoller poller = ReadinessPoller.ifCreated(POLLER);
        if (poller != null) {
            poller.forget(fd); // first: the release action may make the queue readable (kept messages put back)
        }
        beforeRelease.run();
        if (MqCalls.mq_close(fd) != 0) {
            throw NativeErrors.exception("mq_close", posixName, Libc.errno());
        }
    }

    @Override
    public String toString() {
        return "QueueHandle[" + posixName + ", fd " + fd + (isOpen() ? "" : ", closed") + "]";
    }
}
