package org.ipc4j.mqueue.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, shared by every queue of the process, that waits with {@code epoll} for queues to become
 * readable and tells their owners. On Linux a message-queue descriptor is a file descriptor that polls
 * readable while the queue holds a message, so asynchronous receives on any number of queues cost one thread.
 *
 * <p>Registrations are one-shot ({@code EPOLLONESHOT}): the owner re-arms while it still has waiting receives,
 * so an idle queue costs nothing. The event carries a registration id, never the descriptor, so a stale event
 * for a queue closed in the meantime (whose descriptor number may already be reused) is ignored. The thread
 * stops after a few idle seconds without registrations and starts again on demand.
 */
public final class MqPoller {
    private static final Logger LOG = LoggerFactory.getLogger(MqPoller.class);
    private static final int MAX_EVENTS = 64;
    private static final int WAIT_MILLIS = 500;
    private static final long IDLE_STOP_NANOS = 5_000_000_000L;

    /** What the poller calls when a registered queue has become readable; runs on the poller thread. */
    public interface Target {
        void onReadable();
    }

    private static volatile MqPoller shared;

    private final int epfd;
    private final ConcurrentHashMap<Long, Target> targets = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Memory ctlEvent = new Memory(16);
    private final Memory events = new Memory((long) MAX_EVENTS * LinuxLibc.EPOLL_EVENT_SIZE);
    private Thread thread;

    private MqPoller(int epfd) {
        this.epfd = epfd;
    }

    /** The process-wide poller, created on first use. */
    public static MqPoller shared() throws IpcException {
        MqPoller p = shared;
        if (p == null) {
            synchronized (MqPoller.class) {
                p = shared;
                if (p == null) {
                    int fd = LinuxLibc.epoll_create1(LinuxLibc.EPOLL_CLOEXEC);
                    if (fd < 0) {
                        throw Errno.exception("epoll_create1", null, Native.getLastError(),
                                "needed for asynchronous receive");
                    }
                    p = new MqPoller(fd);
                    shared = p;
                }
            }
        }
        return p;
    }

    /** A new registration id for {@code target}; the queue is not watched until {@link #arm}. */
    public long register(Target target) {
        long id = ids.incrementAndGet();
        targets.put(id, target);
        return id;
    }

    /**
     * Watches {@code fd} for one readable event. The caller guarantees that {@code fd} stays open during the
     * call.
     *
     * @param first whether this is the first arm of the registration (EPOLL_CTL_ADD), else a re-arm (MOD)
     */
    public void arm(int fd, long id, boolean first) throws IpcException {
        synchronized (this) {
            ctlEvent.setInt(0, LinuxLibc.EPOLLIN | LinuxLibc.EPOLLONESHOT);
            ctlEvent.setLong(LinuxLibc.EPOLL_EVENT_DATA_OFFSET, id);
            int op = first ? LinuxLibc.EPOLL_CTL_ADD : LinuxLibc.EPOLL_CTL_MOD;
            if (LinuxLibc.epoll_ctl(epfd, op, fd, Pointer.nativeValue(ctlEvent)) != 0) {
                int errno = Native.getLastError();
                throw Errno.exception("epoll_ctl", null, errno, "could not watch the message queue for async receive");
            }
            ensureRunning();
        }
    }

    /** Stops watching {@code fd} (if it was armed) and forgets the registration; call before closing {@code fd}. */
    public void remove(int fd, long id, boolean wasAdded) {
        synchronized (this) {
            if (wasAdded && LinuxLibc.epoll_ctl(epfd, LinuxLibc.EPOLL_CTL_DEL, fd, Pointer.nativeValue(ctlEvent)) != 0) {
                LOG.debug("epoll_ctl(DEL) failed: {}", Errno.describe(Native.getLastError()));
            }
            targets.remove(id);
        }
    }

    /** Whether the poller thread is running (for tests). */
    public synchronized boolean isRunning() {
        return thread != null;
    }

    private void ensureRunning() {
        if (thread == null) {
            Thread t = new Thread(this::run, "ipc4j-mqueue-poller");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void run() {
        long idleSince = System.nanoTime();
        while (true) {
            int n = LinuxLibc.epoll_wait(epfd, Pointer.nativeValue(events), MAX_EVENTS, WAIT_MILLIS);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno != Errno.EINTR) {
                    LOG.error("epoll_wait failed: {}; asynchronous receives are stalled", Errno.describe(errno));
                    sleepQuietly();
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                long id = events.getLong((long) i * LinuxLibc.EPOLL_EVENT_SIZE + LinuxLibc.EPOLL_EVENT_DATA_OFFSET);
                Target target = targets.get(id);
                if (target != null) {
                    try {
                        target.onReadable();
                    } catch (Throwable t) {
                        LOG.error("asynchronous receive failed", t);
                    }
                }
            }
            if (!targets.isEmpty()) {
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince > IDLE_STOP_NANOS) {
                synchronized (this) {
                    if (targets.isEmpty()) {
                        thread = null;
                        return;
                    }
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
