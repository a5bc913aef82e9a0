package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.ProcessIdentity;
import org.ipc4j.api.internal.posix.ByteLocks;

/**
 * The participant slots of a ring: taking and leaving one, and judging whether its owner is alive, left
 * cleanly or died. An owner word is {@code generation << 32 | pid}: pid 0 with a generation means "left
 * cleanly", a pid names the last holder.
 *
 * <p>Whether that holder lives is the kernel's word: while it holds the slot, an endpoint holds an
 * open-file-description write lock on the first byte of the slot's owner word in the region file (the
 * slot's offset in the file, see {@link RingMemory#lockByte}); the kernel drops it when the process dies,
 * in whatever PID namespace. The pid and start time are for messages. Only where there are no such locks
 * ({@link RingMemory#locks} is {@code null}: not Linux) is a holder judged by its pid and start time.
 */
public final class RingSlots {
    /** Peer states reported by the slot table. */
    public enum SlotState { NEVER_ATTACHED, ALIVE, GONE }

    /** {@link #ownerState}: alive or being taken. */
    static final int OWNER_PRESENT = 0;
    /** {@link #ownerState}: left cleanly. */
    static final int OWNER_CLOSED = 1;
    /** {@link #ownerState}: dead, or never attached. */
    static final int OWNER_DEAD = 2;

    /**
     * The order producers take slots in: every fourth slot first (0, 4, ..., 60, then 2, 6, ..., then the odd
     * ones). Two 32-byte slots share a cache line, lines are fetched in pairs, and each producer writes its
     * reservation word per message, so the first 16 producers get 128 bytes each and the first 32 a line each.
     */
    static final int[] SLOT_ORDER = slotOrder();

    private RingSlots() {
    }

    private static int[] slotOrder() {
        int[] order = new int[MAX_PRODUCERS];
        int n = 0;
        for (int start : new int[] {0, 2, 1, 3}) {
            for (int i = start; i < MAX_PRODUCERS; i += 4) {
                order[n++] = i;
            }
        }
        return order;
    }

    /**
     * Takes a free slot (empty, or left by a dead process); returns its new generation, or -1 if taken. With
     * kernel locks the slot's lock is taken first: whoever holds it may write the owner word.
     *
     * @throws IpcException if the lock call fails
     */
    static int acquire(RingMemory ring, long slot) throws IpcException {
        MappedMemory M = ring.M;
        ByteLocks locks = ring.locks;
        if (locks != null && !locks.tryHold(ring.lockByte(slot))) {
            return -1;
        }
        ProcessIdentity self = ProcessIdentity.self();
        while (true) {
            long owner = M.readVolatileLong(slot);
            int pid = (int) owner;
            int gen = (int) (owner >>> 32) & 0x7FFF_FFFF;
            if (locks == null && pid != 0 && isAlive(ring, slot, owner)) {
                return -1;
            }
            int next = (gen + 1) & 0x7FFF_FFFF;
            if (next == 0) {
                next = 1;
            }
            // Reserve first, marked "being taken" but with our pid in it: while the start time below still
            // belongs to the previous owner nobody may judge us by it, yet if we are killed right here the
            // mark names a dead pid and the slot is free again (a bare marker would stay "alive" forever).
            long claiming = CLAIMING_BIT | ((long) next << 32) | (self.pid() & 0xFFFF_FFFFL);
            if (M.compareAndSwapLong(slot, owner, claiming)) {
                M.writeLong(slot + SLOT_START_TIME, self.startTime());
                M.writeLong(slot + SLOT_HEARTBEAT, System.currentTimeMillis());
                // a dead predecessor's reservation must not make the consumer wait for this new owner
                M.writeLong(slot + SLOT_RESERVATION, 0L);
                M.writeOrderedLong(slot, ((long) next << 32) | (self.pid() & 0xFFFF_FFFFL));
                return next;
            }
        }
    }

    /**
     * Whether the owner word {@code owner} (pid not 0) of {@code slot} names a live endpoint: whether a live
     * endpoint holds the slot's kernel lock (one {@code fcntl}; "alive" if the kernel cannot be asked, as a
     * wrong "dead" would let a live producer's claim be skipped). Without kernel locks: a slot being taken
     * carries the taker's pid, alive while that process exists (its start time is not written yet); the bare
     * marker of older writers (pid 0xFFFFFFFF) counts as alive only while the heartbeat the taker writes right
     * after its CAS is recent, so a taker killed mid-attach does not hold the slot forever.
     */
    static boolean isAlive(RingMemory ring, long slot, long owner) {
        ByteLocks locks = ring.locks;
        if (locks != null) {
            try {
                return locks.held(ring.lockByte(slot));
            } catch (IpcException e) {
                return true;
            }
        }
        MappedMemory M = ring.M;
        int pid = (int) owner;
        if (pid == PID_CLAIMING) {
            long beat = M.readVolatileLong(slot + SLOT_HEARTBEAT);
            return Math.abs(System.currentTimeMillis() - beat) < CLAIMING_GRACE_MILLIS;
        }
        if (owner < 0) {
            return ProcessIdentity.startTimeOf(pid & 0xFFFF_FFFFL) != -1;
        }
        return ProcessIdentity.isAlive(pid & 0xFFFF_FFFFL, M.readVolatileLong(slot + SLOT_START_TIME));
    }

    /**
     * Leaves {@code slot} cleanly if it is still held with {@code generation}: the word says "closed" before
     * the kernel lock goes, so that nobody takes a clean close for a death.
     */
    static void release(RingMemory ring, long slot, int generation) {
        MappedMemory M = ring.M;
        long owner = M.readVolatileLong(slot);
        if ((int) (owner >>> 32) == generation && (int) owner != 0) {
            M.compareAndSwapLong(slot, owner, (long) generation << 32);
        }
        if (ring.locks != null) {
            ring.locks.release(ring.lockByte(slot));
        }
    }

    static SlotState state(RingMemory ring, long slot) {
        long owner = ring.M.readVolatileLong(slot);
        int pid = (int) owner;
        if (pid == 0) {
            return (owner >>> 32) == 0 ? SlotState.NEVER_ATTACHED : SlotState.GONE;
        }
        return isAlive(ring, slot, owner) ? SlotState.ALIVE : SlotState.GONE;
    }

    /** Cheap check without /proc: whether the slot says its owner left cleanly. */
    static boolean detached(MappedMemory M, long slot) {
        long owner = M.readVolatileLong(slot);
        return (int) owner == 0 && (owner >>> 32) != 0;
    }

    /** Present (alive or being taken), closed (left cleanly) or dead, judged by the slot alone. */
    static int ownerState(RingMemory ring, long slot) {
        long owner = ring.M.readVolatileLong(slot);
        if ((int) owner == 0) {
            return (owner >>> 32) == 0 ? OWNER_DEAD : OWNER_CLOSED;
        }
        return isAlive(ring, slot, owner) ? OWNER_PRESENT : OWNER_DEAD;
    }

    // ------------------------------------------------------------------ questions about a ring's slots

    /** The owner word of the consumer slot: generation and pid, for telling attachments apart. */
    public static long consumerOwner(RingMemory ring) {
        return ring.M.readVolatileLong(ring.consumerSlot());
    }

    /** The owner word of the (first) producer slot. */
    public static long producerOwner(RingMemory ring) {
        return ring.M.readVolatileLong(ring.producerSlot(0));
    }

    public static SlotState consumerState(RingMemory ring) {
        return state(ring, ring.consumerSlot());
    }

    /** Whether the consumer left cleanly (no /proc read: cheap enough per send). */
    public static boolean consumerDetached(RingMemory ring) {
        return detached(ring.M, ring.consumerSlot());
    }

    /** Whether the (first) producer left cleanly. */
    public static boolean producerDetached(RingMemory ring) {
        return detached(ring.M, ring.producerSlot(0));
    }

    /** ALIVE if any producer is alive, else GONE if one ever attached, else NEVER_ATTACHED. */
    public static SlotState producersState(RingMemory ring) {
        SlotState result = SlotState.NEVER_ATTACHED;
        for (int i = 0; i < ring.producerSlots(); i++) {
            SlotState s = state(ring, ring.producerSlot(i));
            if (s == SlotState.ALIVE) {
                return s;
            }
            if (s == SlotState.GONE) {
                result = s;
            }
        }
        return result;
    }

    /** Describes who holds the producer slots, for an error message. */
    public static String producerHolders(RingMemory ring) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ring.producerSlots(); i++) {
            long owner = ring.M.readVolatileLong(ring.producerSlot(i));
            if ((int) owner != 0) {
                sb.append(sb.length() == 0 ? "pid " : ", ").append((int) owner);
            }
        }
        return sb.toString();
    }

    /** The producer slots that were ever used, with their state, for messages. */
    public static String describeProducers(RingMemory ring) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ring.producerSlots(); i++) {
            long s = ring.producerSlot(i);
            long owner = ring.M.readVolatileLong(s);
            if (owner != 0) {
                int pid = (int) owner;
                sb.append(sb.length() == 0 ? "" : ", ").append(pid == 0 ? "closed" : "pid " + pid)
                        .append(pid == 0 ? "" : (isAlive(ring, s, owner) ? " alive" : " dead"));
            }
        }
        return sb.length() == 0 ? "none attached" : sb.toString();
    }

    public static String consumerHolder(RingMemory ring) {
        return "pid " + (int) ring.M.readVolatileLong(ring.consumerSlot());
    }
}
