package org.ipc4j.api.internal.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Errno;

/**
 * One platform thread per mechanism that waits in {@code epoll_wait} until descriptors become ready, and
 * wakes whoever waits for them: parked threads ({@link #await}, what a virtual thread does instead of
 * sleeping in {@code poll} or {@code mq_timedreceive}, which would hold its carrier) and one-shot actions
 * ({@link #onReady}, e.g. a message queue's asynchronous receives). The poller only reports readiness: the
 * woken thread makes the non-blocking call itself, so nothing is ever taken from the kernel on behalf of a
 * waiter that has given up meanwhile.
 *
 * <p>Every descriptor has one registration, whatever the number of its waiters (epoll takes a descriptor
 * once): its interest is the union of its waiters' events, armed one-shot ({@code EPOLLONESHOT}) and re-armed
 * only while someone waits, so an idle descriptor costs nothing. An event wakes every waiter whose events it
 * carries (a hang-up or error wakes them all); they race for the data with non-blocking calls and the losers
 * wait again, like a condition's {@code signalAll}. The event carries a registration id, never the descriptor,
 * so a stale event for a descriptor closed meanwhile (whose number may be reused) is ignored.
 *
 * <p>Who owns what: the caller keeps the descriptor open while it waits (it holds the descriptor's
 * {@link InUseGuard}) and calls {@link #forget} before closing it. A wait ends on readiness, at its timeout,
 * or when the waiting thread is interrupted (the interrupt status stays set for the caller to act on); the
 * caller re-checks close, interrupt and deadline between waits, as it does between {@code poll} slices.
 * The thread stops after a few idle seconds and starts again on demand. Linux only (epoll). Internal to
 * ipc4j; not a public API.
 */
public final class ReadinessPoller {
    /** ipc-api has no logging dependency: the JDK's platform logger, for failures that should never happen. */
    private static final System.Logger LOG = System.getLogger(ReadinessPoller.class.getName());
    private static final int MAX_EVENTS = 64;
    private static final int WAIT_MILLIS = 500;
    private static final long IDLE_STOP_NANOS = 5_000_000_000L;
    /** What wakes every waiter of a descriptor whatever it asked for: the next call will not block. */
    private static final int ALWAYS = OsConstants.EPOLLERR | OsConstants.EPOLLHUP;
    private static final Map<String, ReadinessPoller> POLLERS = new ConcurrentHashMap<>();

    /** One waiting thread or one-shot action; {@code revents} is written before {@code fired}. */
    private static final class Waiter {
        final int events;
        final Thread thread;
        final Runnable action;
        int revents;
        volatile boolean fired;

        Waiter(int events, Thread thread, Runnable action) {
            this.events = events;
            this.thread = thread;
            this.action = action;
        }
    }

    /** The one epoll registration of a descriptor. Guarded by the poller's lock. */
    private static final class Registration {
        final int fd;
        final long id;
        final List<Waiter> waiters = new ArrayList<>(2);
        /** Whether the descriptor is in the epoll set (ADD done, no DEL since). */
        boolean added;
        /** The events armed now; 0 once the one-shot event fired (or never armed). */
        int armed;

        Registration(int fd, long id) {
            this.fd = fd;
            this.id = id;
        }

        int wanted() {
            int events = 0;
            for (Waiter w : waiters) {
                events |= w.events;
            }
            return events;
        }
    }

    private final String name;
    private final int epfd;
    /** Not a monitor: a virtual thread blocked on a contended monitor would hold its carrier on Java 21. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Registration> byFd = new HashMap<>();
    private final Map<Long, Registration> byId = new HashMap<>();
    private long nextId;
    /** Waiters of all registrations; guarded by {@link #lock}. */
    private int waiting;
    /** The one event of {@code epoll_ctl}; written under {@link #lock}. */
    private final ByteBuffer ctlEvent = ByteBuffer.allocateDirect(Structs.EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    private final long ctlEventAddress = Scratch.directAddress(ctlEvent);
    /** What {@code epoll_wait} fills; read by the poller thread only. */
    private final ByteBuffer events = ByteBuffer.allocateDirect(MAX_EVENTS * Structs.EPOLL_EVENT_SIZE)
            .order(ByteOrder.nativeOrder());
    private final long eventsAddress = Scratch.directAddress(events);
    /** Guarded by {@link #lock}. */
    private Thread thread;

    private ReadinessPoller(String name, int epfd) {
        this.name = name;
        this.epfd = epfd;
    }

    /**
     * The process-wide poller of one mechanism ({@code "mqueue"}, {@code "pipe"}), created on first use; its
     * thread is named {@code ipc4j-NAME-poller}.
     *
     * @throws org.ipc4j.api.UnsupportedPlatformException if epoll cannot be called here
     * @throws IpcException if {@code epoll_create1} failed (e.g. out of descriptors)
     */
    public static ReadinessPoller forMechanism(String mechanism) throws IpcException {
        ReadinessPoller p = POLLERS.get(mechanism);
        if (p != null) {
            return p;
        }
        synchronized (POLLERS) {
            p = POLLERS.get(mechanism);
            if (p == null) {
                NativeSupport.require(NativeSupport.Binding.LINUX, "waiting without holding a carrier (epoll)");
                int fd = LinuxCalls.epoll_create1(OsConstants.EPOLL_CLOEXEC);
                if (fd < 0) {
                    throw NativeErrors.exception("epoll_create1", mechanism + " poller", Libc.errno());
                }
                p = new ReadinessPoller("ipc4j-" + mechanism + "-poller", fd);
                POLLERS.put(mechanism, p);
            }
            return p;
        }
    }

    /** The poller of {@code mechanism} if one was created, else {@code null} (then nothing is registered). */
    public static ReadinessPoller ifCreated(String mechanism) {
        return POLLERS.get(mechanism);
    }

    /**
     * Parks the calling thread until {@code fd} is ready for one of {@code events} ({@link OsConstants#EPOLLIN},
     * {@link OsConstants#EPOLLOUT}; a hang-up or error counts too), for at most {@code timeoutNanos}, or until
     * the thread is interrupted. Never holds a virtual thread's carrier while it waits. A descriptor that epoll
     * refuses (a regular file) is polled directly instead, which is what it would be anyway: never blocking.
     *
     * @param timeoutNanos the longest wait; 0 does not wait, a negative value waits without limit
     * @return the ready events ({@code poll}'s {@code revents} bits, which equal epoll's), 0 if none came in
     *     time or the thread was interrupted
     * @throws IpcException if {@code epoll_ctl} failed for another reason
     */
    public int await(int fd, int events, long timeoutNanos) throws IpcException {
        if (timeoutNanos == 0) {
            return Poll.pollNative(fd, (short) events, 0);
        }
        Thread self = Thread.currentThread();
        Waiter waiter = new Waiter(events, self, null);
        if (!add(fd, waiter)) {
            return Poll.pollNative(fd, (short) events, timeoutNanos < 0 ? -1 : (int) Math.max(1, timeoutNanos / 1_000_000));
        }
        boolean forever = timeoutNanos < 0;
        long end = System.nanoTime() + timeoutNanos;
        try {
            while (!waiter.fired && !self.isInterrupted()) {
                if (forever) {
                    LockSupport.park(this);
                } else {
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            if (!waiter.fired) {
                remove(fd, waiter);
            }
        }
        return waiter.fired ? waiter.revents : 0;
    }

    /**
     * Runs {@code action} once, on the poller thread, when {@code fd} is ready for one of {@code events} (or
     * hung up, or in error). The action must not block; the descriptor must stay open until it has run or
     * {@link #forget} was called.
     *
     * @throws IpcException if epoll cannot watch this descriptor
     */
    public void onReady(int fd, int events, Runnable action) throws IpcException {
        if (!add(fd, new Waiter(events, null, action))) {
            throw NativeErrors.exception("epoll_ctl", "fd " + fd, Errno.EPERM);
        }
    }

    /**
     * Stops watching {@code fd} and drops its pending one-shot actions; call before closing it, when no thread
     * waits on it any more.
     */
    public void forget(int fd) {
        List<Waiter> stranded = new ArrayList<>();
        lock.lock();
        try {
            Registration r = byFd.remove(fd);
            if (r == null) {
                return;
            }
            byId.remove(r.id);
            // Nobody should wait any more; a thread that still does is woken to find the descriptor closed.
            for (Waiter w : r.waiters) {
                if (w.thread != null) {
                    w.fired = true;
                    stranded.add(w);
                }
            }
            waiting -= r.waiters.size();
            r.waiters.clear();
            if (r.added && LinuxCalls.epoll_ctl(epfd, OsConstants.EPOLL_CTL_DEL, fd, ctlEventAddress) != 0) {
                int errno = Libc.errno();
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": epoll_ctl(DEL, fd " + fd + ") failed: " + Errno.describe(errno));
            }
        } finally {
            lock.unlock();
        }
        stranded.forEach(w -> LockSupport.unpark(w.thread));
    }

    /** Whether the poller thread is running (for tests). */
    public boolean isRunning() {
        lock.lock();
        try {
            return thread != null;
        } finally {
            lock.unlock();
        }
    }

    /** Adds a waiter and arms the registration for its events; false if epoll refuses this descriptor. */
    private boolean add(int fd, Waiter waiter) throws IpcException {
        lock.lock();
        try {
            Registration r = byFd.get(fd);
            if (r == null) {
                r = new Registration(fd, ++nextId);
                byFd.put(fd, r);
                byId.put(r.id, r);
            }
            r.waiters.add(waiter);
            waiting++;
            int wanted = r.wanted();
            if ((r.armed & wanted) != wanted) {
                int rc = arm(r, wanted);
                if (rc != 0) {
                    r.waiters.remove(waiter);
                    waiting--;
                    if (r.waiters.isEmpty() && !r.added) {
                        byFd.remove(fd);
                        byId.remove(r.id);
                    }
                    if (rc == Errno.EPERM) {
                        return false;
                    }
                    throw NativeErrors.exception("epoll_ctl", "fd " + fd + " (" + name + ")", rc);
                }
            }
            ensureRunning();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Arms {@code r} one-shot for {@code wanted}; holds the lock. A descriptor that left the epoll set behind
     * our back (closed elsewhere) is added again; one that is there already is modified.
     *
     * @return 0, or the errno of the failed {@code epoll_ctl}
     */
    private int arm(Registration r, int wanted) {
        ctlEvent.putInt(Structs.EPOLL_EVENT_EVENTS, wanted | OsConstants.EPOLLONESHOT);
        ctlEvent.putLong(Structs.EPOLL_EVENT_DATA, r.id);
        int op = r.added ? OsConstants.EPOLL_CTL_MOD : OsConstants.EPOLL_CTL_ADD;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (LinuxCalls.epoll_ctl(epfd, op, r.fd, ctlEventAddress) == 0) {
                r.added = true;
                r.armed = wanted;
                return 0;
            }
            int errno = Libc.errno();
            if (errno == Errno.ENOENT && op == OsConstants.EPOLL_CTL_MOD) {
                op = OsConstants.EPOLL_CTL_ADD;
            } else if (errno == Errno.EEXIST && op == OsConstants.EPOLL_CTL_ADD) {
                op = OsConstants.EPOLL_CTL_MOD;
            } else {
                return errno;
            }
        }
        return Errno.EEXIST;
    }

    private void remove(int fd, Waiter waiter) {
        lock.lock();
        try {
            Registration r = byFd.get(fd);
            if (r != null && r.waiters.remove(waiter)) {
                waiting--;
            }
            // Still armed for its events: a later event finds nobody and leaves the registration disarmed.
        } finally {
            lock.unlock();
        }
    }

    private void ensureRunning() {
        if (thread == null) {
            Thread t = new Thread(this::runGuarded, name);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    /** The thread's body; if it ever fails, the next waiter starts a new thread (waits end at their timeouts). */
    private void runGuarded() {
        try {
            run();
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                thread = null;
            } finally {
                lock.unlock();
            }
            LOG.log(System.Logger.Level.ERROR, name + " failed", e);
            throw e;
        }
    }

    private void run() {
        long idleSince = System.nanoTime();
        List<Waiter> woken = new ArrayList<>();
        while (true) {
            int n = LinuxCalls.epoll_wait(epfd, eventsAddress, MAX_EVENTS, WAIT_MILLIS);
            if (n < 0) {
                int errno = Libc.errno();
                if (errno != Errno.EINTR) {
                    LOG.log(System.Logger.Level.ERROR, name + ": epoll_wait failed: " + Errno.describe(errno)
                            + "; waits end only at their timeouts");
                    LockSupport.parkNanos(100_000_000L);
                }
                continue;
            }
            boolean busy;
            lock.lock();
            try {
                for (int i = 0; i < n; i++) {
                    int revents = events.getInt(i * Structs.EPOLL_EVENT_SIZE + Structs.EPOLL_EVENT_EVENTS);
                    long id = events.getLong(i * Structs.EPOLL_EVENT_SIZE + Structs.EPOLL_EVENT_DATA);
                    Registration r = byId.get(id);
                    if (r != null) {
                        fire(r, revents, woken);
                    }
                }
                busy = waiting > 0;
                if (!busy && System.nanoTime() - idleSince > IDLE_STOP_NANOS) {
                    thread = null;
                    return;
                }
            } finally {
                lock.unlock();
            }
            if (busy) {
                idleSince = System.nanoTime();
            }
            for (Waiter w : woken) {
                if (w.thread != null) {
                    LockSupport.unpark(w.thread);
                } else {
                    try {
                        w.action.run();
                    } catch (RuntimeException | Error e) {
                        LOG.log(System.Logger.Level.ERROR, name + ": a readiness action failed", e);
                    }
                }
            }
            woken.clear();
        }
    }

    /** The one-shot event of {@code r} fired: takes out the waiters it serves, re-arms for the others. */
    private void fire(Registration r, int revents, List<Waiter> woken) {
        r.armed = 0;
        for (int i = r.waiters.size() - 1; i >= 0; i--) {
            Waiter w = r.waiters.get(i);
            int mine = revents & (w.events | ALWAYS);
            if (mine != 0) {
                w.revents = mine;
                w.fired = true;
                r.waiters.remove(i);
                waiting--;
                woken.add(w);
            }
        }
        int wanted = r.wanted();
        if (wanted != 0) {
            int rc = arm(r, wanted);
            if (rc != 0) {
                // Wake them all: each finds out for itself with its next call or poll.
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": re-arming fd " + r.fd + " failed: " + Errno.describe(rc));
                for (Waiter w : r.waiters) {
                    w.fired = true;
                    woken.add(w);
                }
                waiting -= r.waiters.size();
                r.waiters.clear();
            }
        }
    }
}
