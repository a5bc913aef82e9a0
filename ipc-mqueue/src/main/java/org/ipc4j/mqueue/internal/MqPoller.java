package org.ipc4j.mqueue.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.LazyLog;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.LinuxCalls;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.api.internal.posix.Scratch;
import org.ipc4j.api.internal.posix.Structs;

/**
 * One thread, shared by every queue of the process, that waits with {@code epoll} for queues to become
 * readable and tells their owners. On Linux a message-queue descriptor is a file descriptor that polls
 * readable while the queue holds a message, so asynchronous receives on any number of queues cost one thread.
 *
 * <p>Registrations are one-shot ({@code EPOLLONESHOT}): the owner re-arms while it still has waiting receives,
 * so an idle queue costs nothing. The event carries a registration id, never the descriptor, so a stale event
 * for a queue closed in the meantime (whose descriptor number may already be reused) is ignored. The thread
 * stops after a few idle seconds without registrations and starts again on demand.
 *
 * <p>The {@code struct epoll_event}s live in direct buffers whose addresses are taken once: the calls are the
 * shared bindings of {@link LinuxCalls}, which take addresses as {@code long}.
 */
public final class MqPoller {
    private static final LazyLog LOG = new LazyLog(MqPoller.class);
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
    /** The one event of {@code epoll_ctl}; written under this object's lock. */
    private final ByteBuffer ctlEvent = ByteBuffer.allocateDirect(Structs.EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    private final long ctlEventAddress = Scratch.directAddress(ctlEvent);
    /** What {@code epoll_wait} fills; read by the poller thread only. */
    private final ByteBuffer events = ByteBuffer.allocateDirect(MAX_EVENTS * Structs.EPOLL_EVENT_SIZE)
            .order(ByteOrder.nativeOrder());
    private final long eventsAddress = Scratch.directAddress(events);
    private Thread thread;

    private MqPoller(int epfd) {
        this.epfd = epfd;
    }

    /**
     * The process-wide poller, created on first use.
     *
     * @throws org.ipc4j.api.UnsupportedPlatformException if epoll cannot be called here
     */
    public static MqPoller shared() throws IpcException {
        MqPoller p = shared;
        if (p == null) {
            synchronized (MqPoller.class) {
                p = shared;
                if (p == null) {
                    NativeSupport.require(NativeSupport.Binding.LINUX, "asynchronous message-queue receives (epoll)");
                    int fd = LinuxCalls.epoll_create1(OsConstants.EPOLL_CLOEXEC);
                    if (fd < 0) {
                        throw MqErrors.failed("epoll_create1", null, Libc.errno(), "needed for asynchronous receive");
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
            ctlEvent.putInt(Structs.EPOLL_EVENT_EVENTS, OsConstants.EPOLLIN | OsConstants.EPOLLONESHOT);
            ctlEvent.putLong(Structs.EPOLL_EVENT_DATA, id);
            int op = first ? OsConstants.EPOLL_CTL_ADD : OsConstants.EPOLL_CTL_MOD;
            if (LinuxCalls.epoll_ctl(epfd, op, fd, ctlEventAddress) != 0) {
                throw MqErrors.failed("epoll_ctl", null, Libc.errno(), "could not watch the message queue for async receive");
            }
            ensureRunning();
        }
    }

    /** Stops watching {@code fd} (if it was armed) and forgets the registration; call before closing {@code fd}. */
    public void remove(int fd, long id, boolean wasAdded) {
        synchronized (this) {
            if (wasAdded && LinuxCalls.epoll_ctl(epfd, OsConstants.EPOLL_CTL_DEL, fd, ctlEventAddress) != 0) {
                LOG.get().debug("epoll_ctl(DEL) failed: {}", Errno.describe(Libc.errno()));
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
            int n = LinuxCalls.epoll_wait(epfd, eventsAddress, MAX_EVENTS, WAIT_MILLIS);
            if (n < 0) {
                int errno = Libc.errno();
                if (errno != Errno.EINTR) {
                    LOG.get().error("epoll_wait failed: {}; asynchronous receives are stalled", Errno.describe(errno));
                    sleepQuietly();
                }
                continue;
            }
            for (int i = 0; i < n; i++) {
                long id = events.getLong(i * Structs.EPOLL_EVENT_SIZE + Structs.EPOLL_EVENT_DATA);
                Target target = targets.get(id);
                if (target != null) {
                    try {
                        target.onReadable();
                    } catch (Throwable t) {
                        LOG.get().error("asynchronous receive failed", t);
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
