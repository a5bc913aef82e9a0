package org.ipc4j.shm.internal;

import java.lang.invoke.VarHandle;
import org.ipc4j.api.internal.VirtualThreads;
import org.ipc4j.api.internal.posix.Futex;
import org.ipc4j.api.internal.posix.NativeSupport;

/**
 * One doorbell word of a ring header: a waiting end sleeps in the kernel on it (a Linux shared futex), the
 * other end wakes it only when a waiter has announced itself. Format and protocol: docs/shm-format.md,
 * <i>Doorbells</i>.
 *
 * <p>The 32-bit word holds a waiter flag in bit 0 and a sequence in bits 1-31.
 * <ul>
 *   <li>Waiter: {@link #announce()} sets bit 0 by CAS (a CAS also when it is set already), then issues the
 *       heavy side of an asymmetric fence, {@code membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)}; then it
 *       re-checks its condition (data in the ring, room in the ring, its own close); then {@link #sleep}s
 *       with the value it stored, which returns at once if the word changed meanwhile.</li>
 *   <li>Waker: after publishing (a commit, a new head) {@link #ring()}: a load of the word (after a full
 *       fence in a process not registered for the barrier), and only if bit 0 is set a CAS to
 *       {@code (word | 1) + 1} (flag clear, sequence advanced) and a {@code FUTEX_WAKE} of every sleeper.</li>
 * </ul>
 *
 * <p><b>Why no wake is lost</b> (Dekker's argument). Waiter: store the flag, barrier, load the condition.
 * Waker: store the condition, barrier, load the flag. With a full barrier between store and load on each side
 * at least one of the two loads sees the other side's store: either the waiter's re-check sees the message
 * (or room) and it does not sleep, or the waker sees the flag and changes the word, so the waiter's
 * {@code FUTEX_WAIT} for the old value returns at once, or sleeps and is woken (the kernel compares the word
 * and queues the sleeper under one lock, and the wake comes after the change). A waker that sees the flag
 * clear may do so only because another waker cleared it after the waiter's CAS; that one woke everybody. A
 * flag left set by a waiter that found its condition on the re-check, or died, costs one extra wake, never
 * a lost one. Sleeps are bounded (the liveness interval), so a writer that never rings (an older or foreign
 * one) delays, never strands.
 *
 * <p><b>The waker's barrier is the waiter's system call.</b> A full fence after every commit and every head
 * store would stall the hot path until the store reaches the other core (measured: the shm / Agrona round
 * trip went from 1.02-1.09 to 1.17-1.19). Instead each process registers for
 * {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED} and the waiter, about to sleep, makes the kernel run a full barrier
 * on every running thread of every registered process: a waker's store and its later load of the word are
 * then ordered as if it had fenced itself (the barrier lands before the store, between the two, or after the
 * load; in each case one side sees the other). The waker's two accesses stay in program order in compiled
 * code: both are accesses of the same mapped (raw) memory, which the JIT does not reorder across each other.
 * A process that could not register fences on its own ({@link #ASYMMETRIC} false), and does not sleep on
 * doorbells, since a registered waker relies on the sleeper's barrier.
 *
 * <p>The hot path, with nobody asleep, then costs the waker a load of a line nobody writes: no system call,
 * no fence. Where no futex can be used ({@link #CAN_RING} false) {@link #ring()} does nothing at all and
 * waiters park in slices.
 */
public final class Doorbell {
    /** Whether this process rings doorbells (its futex works). */
    public static final boolean CAN_RING;
    /** Whether this process is registered for the global expedited barrier: its rings need no fence. */
    public static final boolean ASYMMETRIC;
    /** Whether this process sleeps on doorbells: it can ring and issue the waiter's barrier. */
    public static final boolean AVAILABLE;
    /** Why it does not sleep on doorbells, or {@code null}. */
    private static final String UNAVAILABLE_REASON;

    static {
        String reason;
        if (!Boolean.parseBoolean(System.getProperty("ipc4j.shm.doorbell", "true"))) {
            reason = "turned off by the system property ipc4j.shm.doorbell=false";
        } else {
            reason = NativeSupport.unavailableReason(NativeSupport.Binding.FUTEX);
        }
        CAN_RING = reason == null;
        boolean asymmetric = false;
        if (CAN_RING) {
            if (!Boolean.parseBoolean(System.getProperty("ipc4j.shm.membarrier", "true"))) {
                reason = "turned off by the system property ipc4j.shm.membarrier=false";
            } else if (Futex.registerForGlobalBarrier()) {
                asymmetric = true;
            } else {
                reason = "membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) is not available (Linux 4.16 or later, not"
                        + " refused by a seccomp filter); the doorbells of others are still rung";
            }
        }
        ASYMMETRIC = asymmetric;
        AVAILABLE = asymmetric;
        UNAVAILABLE_REASON = reason;
    }

    private final MappedMemory memory;
    private final long address;
    private final MappedStore store;
    private final java.nio.file.Path file;

    Doorbell(MappedMemory memory, long address, MappedStore store, java.nio.file.Path file) {
        this.memory = memory;
        this.address = address;
        this.store = store;
        this.file = file;
    }

    /**
     * Whether the word is still backed by the file. A compare-and-swap on a page that a truncation of the file
     * took away does not fault like a read (which the JDK turns into an {@code InternalError}): it brings the
     * JVM down. So every CAS of a doorbell (off the hot path: before a sleep, for a wake of a sleeper, at
     * close) first checks the store's fault state and the file's size. A file that is gone (unlinked at the
     * end of a session) keeps its memory while mapped, so it counts as backed.
     */
    private boolean backed() {
        if ((store.state() & MappedStore.FAULTED) != 0) {
            return false;
        }
        try {
            return java.nio.file.Files.size(file) >= address - store.address() + Integer.BYTES;
        } catch (java.nio.file.NoSuchFileException gone) {
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** Why this process has no doorbell, or {@code null} if it has one. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** How waiting ends wait in this process, for capability reports and docs. */
    public static String describeWaiting() {
        return AVAILABLE ? "waiting ends sleep on a kernel doorbell (Linux shared futex) after a short spin;"
                + " virtual threads park in Java, in slices that grow to 50 ms"
                : "waiting ends spin, yield, then park in slices up to 1 ms (no kernel doorbell: "
                        + UNAVAILABLE_REASON + ")";
    }

    /**
     * Whether the calling thread may sleep on a doorbell: this process has one and the thread is a platform
     * thread (a virtual thread in a native wait would hold its carrier).
     */
    public static boolean usableByCurrentThread() {
        return AVAILABLE && !VirtualThreads.isCurrent();
    }

    /** Whether the calling thread is a virtual thread (never, before Java 21). */
    public static boolean onVirtualThread() {
        return VirtualThreads.isCurrent();
    }

    /**
     * The waker's side, after a release store that may end a wait (a commit, an abort, a new head): wakes the
     * sleepers if one has announced itself. No system call unless one has.
     */
    public void ring() {
        if (CAN_RING) {
            if (!ASYMMETRIC) {
                VarHandle.fullFence();
            }
            int word = memory.readVolatileInt(address);
            if ((word & 1) != 0) {
                wakeFlagged(word);
            }
        }
    }

    private void wakeFlagged(int word) {
        if (!backed()) {
            return;
        }
        int w = word;
        while ((w & 1) != 0) {
            if (memory.compareAndSwapInt(address, w, w + 1)) {
                Futex.wake(address, Integer.MAX_VALUE);
                return;
            }
            w = memory.readVolatileInt(address);
        }
        // another waker cleared the flag after our load: it woke everybody
    }

    /**
     * Step 1 of a sleep: sets the waiter flag (by CAS) and issues the global barrier, unless the word still
     * holds {@code previous}, what this thread announced last in the same wait (0 for none). Returns the word as stored, the value
     * to pass to {@link #sleep}. The caller re-checks its condition after this and before sleeping.
     */
    public int announce(int previous) {
        if (!backed()) {
            // nothing to sleep on: the caller's next look at the ring reports the truncation
            return previous != 0 ? previous : 1;
        }
        while (true) {
            int w = memory.readVolatileInt(address);
            if ((previous & 1) != 0 && w == previous) {
                // Untouched since this thread's last announcement and barrier (nobody rang): every waker whose
                // store that barrier did not order before this thread's re-check loads the flag after it.
                // So no new barrier: an idle waiter's timed-out sleeps cost no inter-processor interrupts.
                return w;
            }
            if (memory.compareAndSwapInt(address, w, w | 1)) {
                // the heavy side: every registered waker's store before its load of this word, as if fenced
                Futex.globalBarrier();
                return w | 1;
            }
        }
    }

    /**
     * Step 2: sleeps in the kernel while the word still holds {@code announced}, at most {@code nanos}.
     * Returns early on a wake, a change of the word, a signal, an interrupt of the calling thread, or
     * spuriously; the interrupt status is kept. {@link Thread#interrupt()} cannot reach a thread in a native
     * call, so the sleep registers as an interruptible blocking operation (as the JDK's channels do): the
     * interrupting thread then rings this word ({@link #wakeAll()}) on the sleeper's behalf.
     *
     * @return false if the sleep lasted its whole time, true if it ended early
     */
    public boolean sleep(int announced, long nanos) {
        if (!backed()) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(nanos, 1_000_000L));
            return true;
        }
        Interruption interruption = new Interruption(this);
        interruption.enter();
        try {
            return Futex.await(address, announced, nanos) != org.ipc4j.api.internal.Errno.ETIMEDOUT;
        } finally {
            interruption.exit();
        }
    }

    /**
     * The JDK's hook for interrupting a thread blocked in native code: {@code begin()} registers it with the
     * current thread (and fires at once if the thread is interrupted already), {@code Thread.interrupt()} then
     * calls {@link #implCloseChannel()}. One instance per sleep: a fired one stays closed.
     */
    private static final class Interruption extends java.nio.channels.spi.AbstractInterruptibleChannel {
        private final Doorbell bell;

        Interruption(Doorbell bell) {
            this.bell = bell;
        }

        void enter() {
            begin();
        }

        void exit() {
            try {
                end(true);
            } catch (java.nio.channels.AsynchronousCloseException interrupted) {
                // the interrupt woke the sleep; the caller sees the thread's interrupt status
            }
        }

        @Override
        protected void implCloseChannel() {
            bell.wakeAll();
        }
    }

    /**
     * Wakes every sleeper of the word unconditionally, having changed the word so that a thread between its
     * re-check and its {@code FUTEX_WAIT} does not fall asleep either: for a close of the waiting end.
     */
    public void wakeAll() {
        if (!CAN_RING || !backed()) {
            return;
        }
        while (true) {
            int w = memory.readVolatileInt(address);
            if (memory.compareAndSwapInt(address, w, w + 2)) {
                break;
            }
        }
        Futex.wake(address, Integer.MAX_VALUE);
    }
}
