package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The claims of one producer slot of a multi-producer ring. Step 1 moves {@code tail} by CAS, having first
 * named the claim in the slot's reservation word; step 2 writes the record headers. The consumer never
 * skips a claim whose live owner names it (see {@link ClaimSweeper}), and sweeps the unnamed claims of
 * dead producers. Kept out of {@link RingWriter#tryClaim} so that the single-producer path stays small.
 */
final class SharedClaims {
    /** The ring's memory (named as the constant it replaces, so the access code reads the same). */
    private final MappedMemory M;
    private final long data;
    private final int capacity;
    private final int mask;
    private final long tailAddr;
    private final long headAddr;
    private long headCache;
    private long reservationAddr;
    private int dataTag;
    private int padTag;

    /**
     * The one thread of this producer object that publishes reservations (the first to claim, replaced when it
     * has ended). Other threads sharing the object claim the other way, writing headers by CAS from 0: one
     * reservation word per slot cannot name several open claims.
     */
    private final AtomicReference<Thread> reserver = new AtomicReference<>();

    /** 1 while the reserving thread is inside a named claim (release stores; read by a closing thread). */
    volatile int namedClaim;
    private static final VarHandle NAMED_CLAIM = namedClaimHandle();

    /** Set by {@link #quiesce} before it waits for a named claim in flight. */
    private volatile boolean closing;

    SharedClaims(RingMemory ring) {
        this.M = ring.M;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.tailAddr = ring.tailAddr;
        this.headAddr = ring.headAddr;
    }

    private static VarHandle namedClaimHandle() {
        try {
            return MethodHandles.lookup().findVarHandle(SharedClaims.class, "namedClaim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The slot was taken: its reservation word and the tags of its records. */
    void attached(long reservationAddr, int dataTag, int padTag) {
        this.reservationAddr = reservationAddr;
        this.dataTag = dataTag;
        this.padTag = padTag;
        this.headCache = M.readVolatileLong(headAddr);
    }

    /**
     * Before the slot is left: a named claim in flight on another thread is waited for (it takes nanoseconds
     * unless that thread is descheduled): once the slot says "closed", the consumer may sweep a position it
     * names, and a new owner may take the slot and its reservation word. If the claim does not end within a
     * second (a stopped thread), returns false: the slot is then kept, held by this live process, so the
     * consumer keeps waiting for the claim instead of sweeping it, and the slot is free when the process ends.
     */
    boolean quiesce() {
        closing = true;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (namedClaim != 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** A claim of {@code aligned} bytes for a record of {@code recordLength}; its data index, or -1. */
    int claim(int aligned, int recordLength) {
        Thread me = Thread.currentThread();
        Thread current = reserver.get();
        // a reserving thread that has ended cannot be inside a claim: its role passes on
        boolean reserving = current == me
                || ((current == null || !current.isAlive()) && reserver.compareAndSet(current, me));
        if (reserving) {
            return claimNamed(aligned, recordLength);
        }
        long t = reserve(aligned, false);
        return t < 0 ? -1 : claimByCas(t, aligned, recordLength);
    }

    /**
     * A named claim, kept from racing {@link #quiesce} (a close on another thread) without a fence of its own:
     * the flag below is a release store, and the tail CAS that follows it is the fence. A close that saw the
     * flag waits for the claim to end. A close that did not see it (the store was still in flight) had set
     * {@code closing} before, which the claim then sees after its CAS: it writes its headers by CAS from 0
     * instead, as an unnamed claim does, so a sweep of a now closed slot voids the claim rather than letting
     * it write into swept space. Returns the record's data index, or -1.
     *
     * <p>Left open: the name store itself may land after the close if this thread is preempted between its
     * closing check and the store (the flag's release store may be ordered after that check); if in that
     * time another process has taken the slot over and is itself stalled, longer than the unblock timeout,
     * between naming a claim and writing it, the late store unnames that claim. Closing this needs a fence per
     * claim, which costs a third of the multi-producer throughput here, or an asymmetric barrier.
     */
    private int claimNamed(int aligned, int recordLength) {
        NAMED_CLAIM.setRelease(this, 1);
        try {
            if (closing) {
                return -1;
            }
            long t = reserve(aligned, true);
            if (t < 0) {
                return -1;
            }
            if (closing) {
                int index = claimByCas(t, aligned, recordLength);
                // only our own name: the slot may already be another producer's
                M.compareAndSwapLong(reservationAddr, t + 1, 0L);
                return index;
            }
            return claimReserved(t, aligned, recordLength);
        } finally {
            NAMED_CLAIM.setRelease(this, 0);
        }
    }

    /**
     * Step 1: moves {@code tail} past a record of {@code aligned} bytes (and the padding before it if it would
     * cross the end). Returns the old tail, or -1 if there is no room.
     */
    long reserve(int aligned, boolean reserving) {
        while (true) {
            long t = M.readVolatileLong(tailAddr);
            int toEnd = capacity - ((int) t & mask);
            int required = aligned <= toEnd ? aligned : toEnd + aligned;
            if (t + required - headCache > capacity) {
                long h = M.readVolatileLong(headAddr);
                headCache = h;
                if (t + required - h > capacity) {
                    if (reserving) {
                        M.writeOrderedLong(reservationAddr, 0L); // a failed CAS may have left a stale name
                    }
                    return -1;
                }
            }
            // Tells the consumer who owns the claim at t until its header is written (see ClaimSweeper). A
            // release store: the previous claim's headers are visible before it.
            if (reserving) {
                M.writeOrderedLong(reservationAddr, t + 1);
            }
            if (M.compareAndSwapLong(tailAddr, t, t + required)) {
                return t;
            }
        }
    }

    /**
     * Step 2 of a named claim: writes the headers of the space reserved at {@code t}: plain stores, as with one
     * producer. The consumer never skips the unwritten claim of a live producer (its reservation names it),
     * so nothing can have passed this space. Returns the data index of the record.
     */
    int claimReserved(long t, int aligned, int recordLength) {
        int index = (int) t & mask;
        int toEnd = capacity - index;
        if (aligned > toEnd) {
            // The name covers the padding's position only. The record at index 0 goes first and the padding
            // is published after it (release): a consumer can reach index 0 only through the padding, and then
            // sees the record's header, never an unnamed zero there.
            M.writeLong(data, header(-recordLength, dataTag));
            M.writeOrderedLong(data + index, header(toEnd, padTag));
            M.writeOrderedLong(reservationAddr, 0L);
            return 0;
        }
        M.writeLong(data + index, header(-recordLength, dataTag));
        // The claim no longer needs its name: a zero at a position named by a live producer is then always an
        // unwritten claim, never a record some consumer released (killed before it moved head).
        M.writeOrderedLong(reservationAddr, 0L);
        return index;
    }

    /**
     * Step 2 without a reservation (a thread sharing this producer object with the reserving one): the
     * headers are written by CAS from 0. The consumer may have swept the space meanwhile (an unnamed claim is
     * swept after the unblock timeout); then the CAS fails and the claim is void: nothing is written into
     * space the consumer may be past already. Returns the data index of the record, or -1.
     */
    int claimByCas(long t, int aligned, int recordLength) {
        int index = (int) t & mask;
        int toEnd = capacity - index;
        if (aligned > toEnd) {
            if (!M.compareAndSwapLong(data + index, 0L, header(toEnd, padTag))) {
                // our padding was swept; give up the record at 0 as well unless that was swept too
                M.compareAndSwapLong(data, 0L, header(aligned, padTag));
                return -1;
            }
            index = 0;
        }
        if (!M.compareAndSwapLong(data + index, 0L, header(-recordLength, dataTag))) {
            return -1;
        }
        return index;
    }
}
