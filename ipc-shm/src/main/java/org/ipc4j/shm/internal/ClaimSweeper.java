package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;
import static org.ipc4j.shm.internal.RingSlots.OWNER_CLOSED;
import static org.ipc4j.shm.internal.RingSlots.OWNER_DEAD;
import static org.ipc4j.shm.internal.RingSlots.OWNER_PRESENT;

/**
 * The consumer's skipping of claims that their producer can no longer complete (Agrona's "unblock"): a
 * record left open at the head by a producer that died, or that closed while a send raced its close, or,
 * in a multi-producer ring, space reserved by a producer that died before writing its header.
 */
final class ClaimSweeper {
    /**
     * How long the consumer leaves the open claim of a producer that closed cleanly: the producer's process
     * is alive and a send that raced the close may be between checking its claim and storing the commit.
     */
    static final long CLOSED_CLAIM_GRACE_NANOS = 100_000_000L;

    private final RingMemory ring;
    /** The ring's memory (named as the constant it replaces, so the access code reads the same). */
    private final MappedMemory M;
    private final long data;
    private final int capacity;
    private final int mask;
    private final int maxRecord;
    private final long tailAddr;
    private final boolean many;
    private long stallHead = -1;
    private long stallSince;

    ClaimSweeper(RingMemory ring) {
        this.ring = ring;
        this.M = ring.M;
        this.data = ring.data;
        this.capacity = ring.capacity;
        this.mask = ring.mask;
        this.maxRecord = ring.maxRecord;
        this.tailAddr = ring.tailAddr;
        this.many = ring.variant == VARIANT_MPSC;
    }

    /**
     * Skips a record at head {@code h} that a producer claimed but can no longer complete: immediately if its
     * owner's slot shows the owner dead or taken over by a restarted producer; after
     * {@link #CLOSED_CLAIM_GRACE_NANOS} of no progress if the owner closed cleanly (a send racing its close may
     * still be storing the commit); after {@code timeoutNanos} of no progress if the header was never written
     * (its owner is unknown). Returns whether something was skipped.
     */
    boolean unblock(long h, long timeoutNanos) {
        int index = (int) h & mask;
        long address = data + index;
        long word = M.readVolatileLong(address);
        int length = (int) word;
        if (length > 0) {
            return false;
        }
        long t = M.readVolatileLong(tailAddr);
        if (t - h <= 0) {
            stallHead = -1;
            return false;
        }
        long now = System.nanoTime();
        if (stallHead != h) {
            stallHead = h;
            stallSince = now;
        }
        if (length < 0) {
            int tag = (int) (word >>> 32);
            if (-length > maxRecord || tagSlot(tag) >= MAX_PRODUCERS) {
                return false;
            }
            int gone = ownerGone(tagSlot(tag), tagGeneration(tag));
            if (gone == OWNER_PRESENT || (gone == OWNER_CLOSED && now - stallSince < CLOSED_CLAIM_GRACE_NANOS)) {
                return false;
            }
            int skip = align(-length);
            if (skip > capacity - index) {
                return false;
            }
            boolean done = M.compareAndSwapLong(address, word, header(skip, TYPE_PADDING));
            if (done) {
                stallHead = -1;
            }
            return done;
        }
        if (!many) {
            return false; // one producer writes its header before it publishes the tail: a zero here is not a claim
        }
        // Many producers: a producer reserved this space (moved the tail) but has not written its header. Its
        // reservation word names the position until it has; while its owner lives (or closed less than the
        // grace ago) the claim is left alone: it will be written. An unknown owner (a producer that took over a
        // dead one's slot cleared it) gets the unblock timeout.
        long wanted = h + 1;
        boolean ownerKnown = false;
        long nextLive = t + 1;
        for (int i = 0; i < MAX_PRODUCERS; i++) {
            long s = ring.producerSlot(i);
            long reserved = M.readVolatileLong(s + SLOT_RESERVATION);
            if (reserved == 0 || reserved < wanted) {
                continue;
            }
            int state = RingSlots.ownerState(ring, s);
            boolean mayWrite = state == OWNER_PRESENT
                    || (state == OWNER_CLOSED && now - stallSince < CLOSED_CLAIM_GRACE_NANOS);
            if (reserved == wanted) {
                ownerKnown = true;
                if (mayWrite) {
                    return false;
                }
            } else if (state != OWNER_DEAD) {
                nextLive = Math.min(nextLive, reserved); // a later claim whose owner may still write it
            }
        }
        if (!ownerKnown && now - stallSince < timeoutNanos) {
            return false;
        }
        // The claim's size is unknown, and unwritten claims of other dead producers may follow it. Every 8-byte
        // word from here to the first written header becomes an 8-byte padding record, by CAS from 0, never
        // reaching a claim whose owner may still write it.
        long limit = Math.min(Math.min(capacity - index, t - h), nextLive - wanted);
        long padding = header(ALIGNMENT, TYPE_PADDING);
        int swept = 0;
        for (long at = 0; at < limit; at += ALIGNMENT) {
            if (!M.compareAndSwapLong(address + at, 0L, padding)) {
                break;
            }
            swept++;
        }
        if (swept > 0) {
            stallHead = -1;
        }
        return swept > 0;
    }

    /** Whether head {@code h} is an open claim of a cleanly closed producer, still inside its grace time. */
    boolean waitingForClosedClaim(long h) {
        if (stallHead != h || System.nanoTime() - stallSince >= CLOSED_CLAIM_GRACE_NANOS) {
            return false;
        }
        long word = M.readVolatileLong(data + ((int) h & mask));
        if ((int) word < 0) {
            return true;
        }
        if (word != 0 || !many) {
            return false;
        }
        for (int i = 0; i < MAX_PRODUCERS; i++) {
            long s = ring.producerSlot(i);
            if (M.readVolatileLong(s + SLOT_RESERVATION) == h + 1 && RingSlots.ownerState(ring, s) == OWNER_CLOSED) {
                return true;
            }
        }
        return false;
    }

    private int ownerGone(int ownerSlot, int generation16) {
        long s = ring.producerSlot(ownerSlot);
        long owner = M.readVolatileLong(s);
        int pid = (int) owner;
        if (((int) (owner >>> 32) & 0xFFFF) != generation16) {
            return OWNER_DEAD; // the slot was taken over: its old owner is gone for good
        }
        if (pid == 0) {
            return OWNER_CLOSED;
        }
        return RingSlots.isAlive(ring, s, owner) ? OWNER_PRESENT : OWNER_DEAD;
    }
}
