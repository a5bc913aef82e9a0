package org.ipc4j.shm.internal;

import static org.ipc4j.shm.internal.RingLayout.*;

import java.lang.ref.Reference;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.UnsafeMemory;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.internal.ProcessIdentity;
import org.ipc4j.shm.MessageHandler;

/**
 * One attachment (producer or consumer) to a ring in a mapped region: the lock-free algorithm.
 *
 * <p>Protocol (see docs/shm-format.md). Positions {@code tail} and {@code head} are byte counts that only
 * grow; the index in the data area is {@code position & (capacity - 1)}. A producer reserves space by
 * moving {@code tail} (a plain ordered store for one producer, a CAS for many, each first naming the claim
 * in its slot's reservation word), writes the record header with a negative length, the payload, then the
 * positive length with a release store. The consumer reads
 * the length with an acquire load: positive means complete. After use it marks the record consumed,
 * zeroes it (so a zero length always means "not written yet") and publishes {@code head} with a release
 * store. Producers read {@code head} only when their cached copy says the ring is full (JCTools' cached
 * opposite index), so in the steady state each side writes its own cache lines.
 *
 * <p>The header is validated once at attach; the hot path then uses raw memory access on the address,
 * with every length read from shared memory checked against the validated capacity before use. The
 * mapping is kept reachable by {@link MappedStore} for as long as this object is, so a racing close cannot
 * make these accesses fault.
 */
public final class RingCore {
    private static final UnsafeMemory M = UnsafeMemory.MEMORY;

    /** Peer states reported by the slot table. */
    public enum SlotState { NEVER_ATTACHED, ALIVE, GONE }

    public final Path file;
    private final MappedStore store;
    private final ByteBuffer view;
    private final long regionAddress;
    private final long data;
    private final int dataIndex;
    private final int capacity;
    private final int mask;
    private final int maxMessage;
    private final int maxRecord;
    private final int variant;
    private final int kind;
    private final long tailAddr;
    private final long headAddr;
    private final long ringAddress;

    // producer state
    private int slot = -1;
    private int generation;
    private int dataTag;
    private int padTag;
    private long headCache;
    private long tail;
    private long reservationAddr;
    /**
     * The one thread of this producer object that publishes reservations (the first to claim, replaced when it
     * has ended). Other threads sharing the object claim the other way, writing headers by CAS from 0: one
     * reservation word per slot cannot name several open claims.
     */
    private final java.util.concurrent.atomic.AtomicReference<Thread> reserver =
            new java.util.concurrent.atomic.AtomicReference<>();

    // consumer state
    private long head;
    private long stallHead = -1;
    private long stallSince;

    private RingCore(MappedStore store, long offset, Path file, int capacity, int maxMessage, int variant, int kind) {
        this.file = file;
        this.store = store;
        this.view = store.mapping().duplicate();
        this.regionAddress = store.addressForRead(0);
        this.ringAddress = regionAddress + offset;
        this.dataIndex = (int) (offset + HEADER_LENGTH);
        this.data = regionAddress + dataIndex;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxMessage = maxMessage;
        this.maxRecord = maxMessage + RECORD_HEADER;
        this.variant = variant;
        this.kind = kind;
        this.tailAddr = ringAddress + TAIL_OFFSET;
        this.headAddr = ringAddress + HEAD_OFFSET;
    }

    /** Writes the header of a new ring (the region is fresh and zero-filled). */
    public static void format(BytesStore<?, ?> region, long offset, long capacity, int maxMessage, int variant,
            int kind) {
        region.writeInt(offset + VERSION_OFFSET, VERSION);
        region.writeInt(offset + VARIANT_OFFSET, variant);
        region.writeLong(offset + CAPACITY_OFFSET, capacity);
        region.writeInt(offset + MAX_MESSAGE_OFFSET, maxMessage);
        region.writeInt(offset + HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        region.writeInt(offset + MAX_PRODUCERS_OFFSET, variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS);
        region.writeInt(offset + ALIGNMENT_OFFSET, ALIGNMENT);
        region.writeInt(offset + KIND_OFFSET, kind);
        // the magic last: a reader that sees it sees the rest
        region.writeOrderedLong(offset + MAGIC_OFFSET, MAGIC);
    }

    /**
     * Validates the ring header at {@code offset} and attaches to it (no role yet).
     *
     * @param expectedKind the {@code kind} field required, or -1 for any
     * @param expectedVariant the variant required, or 0 for any
     * @throws CorruptedStateException naming the file and the bad field
     */
    public static RingCore attach(MappedStore store, long offset, Path file, int expectedKind, int expectedVariant)
            throws CorruptedStateException {
        long size = store.capacity();
        if (size < offset + HEADER_LENGTH) {
            throw corrupt(file, "size", "the file has " + size + " bytes, too small for a ring header of "
                    + HEADER_LENGTH + " bytes at offset " + offset);
        }
        long magic = store.readVolatileLong(offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(file, "magic", "expected 0x" + Long.toHexString(MAGIC) + " (\"IPC4JRNG\"), found 0x"
                    + Long.toHexString(magic) + "; not an ipc4j ring, or not yet initialised");
        }
        int version = store.readInt(offset + VERSION_OFFSET);
        if (version != VERSION) {
            throw corrupt(file, "version", "found " + version + ", this library reads version " + VERSION);
        }
        long capacity = store.readLong(offset + CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw corrupt(file, "capacity", "found " + capacity + ", must be a power of two from " + MIN_CAPACITY
                    + " to " + MAX_CAPACITY);
        }
        if (size < offset + HEADER_LENGTH + capacity) {
            throw corrupt(file, "size", "the file has " + size + " bytes, too small for a ring of capacity "
                    + capacity + " at offset " + offset + " (needs " + (offset + HEADER_LENGTH + capacity) + ")");
        }
        int headerLength = store.readInt(offset + HEADER_LENGTH_OFFSET);
        if (headerLength != HEADER_LENGTH) {
            throw corrupt(file, "headerLength", "found " + headerLength + ", expected " + HEADER_LENGTH);
        }
        int alignment = store.readInt(offset + ALIGNMENT_OFFSET);
        if (alignment != ALIGNMENT) {
            throw corrupt(file, "alignment", "found " + alignment + ", expected " + ALIGNMENT);
        }
        int maxMessage = store.readInt(offset + MAX_MESSAGE_OFFSET);
        if (maxMessage < 0 || maxMessage > maxMessageLimit(capacity)) {
            throw corrupt(file, "maxMessage", "found " + maxMessage + ", must be 0 to " + maxMessageLimit(capacity)
                    + " for capacity " + capacity);
        }
        int variant = store.readInt(offset + VARIANT_OFFSET);
        if (variant != VARIANT_SPSC && variant != VARIANT_MPSC) {
            throw corrupt(file, "variant", "found " + variant + ", expected 1 (single producer) or 2 (multi producer)");
        }
        if (expectedVariant != 0 && variant != expectedVariant) {
            throw corrupt(file, "variant", "found " + variantName(variant) + ", but " + variantName(expectedVariant)
                    + " was asked for");
        }
        int kind = store.readInt(offset + KIND_OFFSET);
        if (kind < KIND_RING || kind > KIND_CHANNEL_B_TO_A || (expectedKind >= 0 && kind != expectedKind)) {
            throw corrupt(file, "kind", "found " + kind + (expectedKind >= 0 ? ", expected " + expectedKind : "")
                    + " (0 = ring, 1/2 = the rings of a channel)");
        }
        int maxProducers = store.readInt(offset + MAX_PRODUCERS_OFFSET);
        if (maxProducers != (variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS)) {
            throw corrupt(file, "maxProducers", "found " + maxProducers);
        }
        return new RingCore(store, offset, file, (int) capacity, maxMessage, variant, kind);
    }

    static String variantName(int variant) {
        return variant == VARIANT_SPSC ? "single-producer" : variant == VARIANT_MPSC ? "multi-producer" : "" + variant;
    }

    private static CorruptedStateException corrupt(Path file, String field, String detail) {
        return new CorruptedStateException("ring " + file + ": field " + field + ": " + detail);
    }

    // ------------------------------------------------------------------ slots

    private long producerSlot(int index) {
        return ringAddress + PRODUCER_SLOTS_OFFSET + (long) index * SLOT_LENGTH;
    }

    private long consumerSlot() {
        return ringAddress + CONSUMER_SLOT_OFFSET;
    }

    /** Takes a free slot (empty, or left by a dead process); returns its new generation, or -1 if taken. */
    private static int acquire(long slot) {
        ProcessIdentity self = ProcessIdentity.self();
        while (true) {
            long owner = M.readVolatileLong(slot);
            int pid = (int) owner;
            int gen = (int) (owner >>> 32) & 0x7FFF_FFFF;
            if (pid != 0 && isAlive(slot, owner)) {
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
     * Whether the owner word {@code owner} (pid not 0) of {@code slot} names a live process. A slot being taken
     * carries the taker's pid: alive while that process exists (its start time is not written yet). The bare
     * marker of older writers (pid 0xFFFFFFFF) has no pid: it counts as alive only while the heartbeat the
     * taker writes right after its CAS is recent, so a taker killed mid-attach does not hold the slot forever.
     */
    private static boolean isAlive(long slot, long owner) {
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

    private static void release(long slot, int generation) {
        long owner = M.readVolatileLong(slot);
        if ((int) (owner >>> 32) == generation && (int) owner != 0) {
            M.compareAndSwapLong(slot, owner, (long) generation << 32);
        }
    }

    private static SlotState state(long slot) {
        long owner = M.readVolatileLong(slot);
        int pid = (int) owner;
        if (pid == 0) {
            return (owner >>> 32) == 0 ? SlotState.NEVER_ATTACHED : SlotState.GONE;
        }
        return isAlive(slot, owner) ? SlotState.ALIVE : SlotState.GONE;
    }

    /** Cheap check without /proc: whether the slot says its owner left cleanly. */
    private static boolean detached(long slot) {
        long owner = M.readVolatileLong(slot);
        return (int) owner == 0 && (owner >>> 32) != 0;
    }

    /** Attaches as the producer. Returns false if the (single-producer) slot or all slots are held by live processes. */
    public boolean attachProducer() {
        int slots = variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS;
        for (int n = 0; n < slots; n++) {
            // Every fourth slot first (0, 4, ..., 60, then 2, 6, ..., then the odd ones): two 32-byte slots share
            // a cache line, lines are fetched in pairs, and each producer writes its reservation word per message,
            // so the first 16 producers get 128 bytes each and the first 32 a line each.
            int i = slots == 1 ? 0 : SLOT_ORDER[n];
            int gen = acquire(producerSlot(i));
            if (gen > 0) {
                slot = i;
                reservationAddr = producerSlot(i) + SLOT_RESERVATION;
                generation = gen;
                dataTag = tag(TYPE_DATA, i, gen & 0xFFFF);
                padTag = tag(TYPE_PADDING, i, gen & 0xFFFF);
                tail = M.readVolatileLong(tailAddr);
                headCache = M.readVolatileLong(headAddr);
                return true;
            }
        }
        return false;
    }

    private static final int[] SLOT_ORDER = slotOrder();

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

    /** Describes who holds the producer slots, for an error message. */
    public String producerHolders() {
        StringBuilder sb = new StringBuilder();
        int slots = variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS;
        for (int i = 0; i < slots; i++) {
            long owner = M.readVolatileLong(producerSlot(i));
            if ((int) owner != 0) {
                sb.append(sb.length() == 0 ? "pid " : ", ").append((int) owner);
            }
        }
        return sb.toString();
    }

    /** The producer slots that were ever used, with their state, for messages. */
    public String describeProducers() {
        StringBuilder sb = new StringBuilder();
        int slots = variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS;
        for (int i = 0; i < slots; i++) {
            long s = producerSlot(i);
            long owner = M.readVolatileLong(s);
            if (owner != 0) {
                int pid = (int) owner;
                sb.append(sb.length() == 0 ? "" : ", ").append(pid == 0 ? "closed" : "pid " + pid)
                        .append(pid == 0 ? "" : (isAlive(s, owner) ? " alive" : " dead"));
            }
        }
        return sb.length() == 0 ? "none attached" : sb.toString();
    }

    public String consumerHolder() {
        return "pid " + (int) M.readVolatileLong(consumerSlot());
    }

    /** Attaches as the consumer; false if a live consumer holds the slot. */
    public boolean attachConsumer() {
        int gen = acquire(consumerSlot());
        if (gen <= 0) {
            return false;
        }
        generation = gen;
        head = M.readVolatileLong(headAddr);
        if (variant == VARIANT_SPSC) {
            skipReleasedRecord();
        }
        return true;
    }

    /**
     * Finishes step 5 for a consumer killed between releasing records and publishing {@code head}: it left
     * zeros at {@code head} although {@code tail} is past it. With one producer every record in
     * {@code [head, tail)} had its header written before {@code tail} covered it, and a header becomes 0 only
     * after its record is zeroed, so the zeros are released records: the next record starts at the first word
     * that is not 0 (or at {@code tail}). Without this the new consumer would wait at the zeros forever. With many
     * producers a zero at {@code head} may also be a claim whose header is not written yet; the unblock sweep
     * handles that case (see {@link #unblock}).
     */
    private void skipReleasedRecord() {
        long h = head;
        long t = M.readVolatileLong(tailAddr);
        if (t - h <= 0 || t - h > capacity || M.readVolatileLong(data + ((int) h & mask)) != 0) {
            return;
        }
        long p = h;
        while (p < t && M.readVolatileLong(data + ((int) p & mask)) == 0) {
            p += ALIGNMENT;
        }
        head = p;
        M.writeOrderedLong(headAddr, p);
    }

    /**
     * Leaves the producer slot. A named claim in flight on another thread is waited for first (it takes
     * nanoseconds unless that thread is descheduled): once the slot says "closed", the consumer may sweep a
     * position it names, and a new owner may take the slot and its reservation word. If the claim does not
     * end within a second (a stopped thread), the slot is kept: it stays held by this live process, so the
     * consumer keeps waiting for the claim instead of sweeping it, and the slot is free when the process ends.
     */
    public void detachProducer() {
        if (slot < 0) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (namedClaim != 0) {
            if (System.nanoTime() > deadline) {
                return;
            }
            Thread.onSpinWait();
        }
        release(producerSlot(slot), generation);
    }

    public void detachConsumer() {
        release(consumerSlot(), generation);
    }

    /** Records that this producer is alive now (rate-limited by the caller). */
    public void producerHeartbeat() {
        if (slot >= 0) {
            M.writeOrderedLong(producerSlot(slot) + SLOT_HEARTBEAT, System.currentTimeMillis());
        }
    }

    public void consumerHeartbeat() {
        M.writeOrderedLong(consumerSlot() + SLOT_HEARTBEAT, System.currentTimeMillis());
    }

    public SlotState consumerState() {
        return state(consumerSlot());
    }

    public boolean consumerDetached() {
        return detached(consumerSlot());
    }

    /** ALIVE if any producer is alive, else GONE if one ever attached, else NEVER_ATTACHED. */
    public SlotState producersState() {
        int slots = variant == VARIANT_SPSC ? 1 : MAX_PRODUCERS;
        SlotState result = SlotState.NEVER_ATTACHED;
        for (int i = 0; i < slots; i++) {
            SlotState s = state(producerSlot(i));
            if (s == SlotState.ALIVE) {
                return s;
            }
            if (s == SlotState.GONE) {
                result = s;
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ producer

    /**
     * Reserves a record for {@code length} bytes. Returns the region offset of the payload, or -1 if the ring
     * has no room now. The caller checked {@code 0 <= length <= maxMessage}.
     */
    public long tryClaim(int length) {
        int recordLength = length + RECORD_HEADER;
        int aligned = align(recordLength);
        int index;
        if (variant == VARIANT_SPSC) {
            long t = tail;
            index = (int) t & mask;
            int toEnd = capacity - index;
            int required = aligned <= toEnd ? aligned : toEnd + aligned;
            if (t + required - headCache > capacity) {
                headCache = M.readVolatileLong(headAddr);
                if (t + required - headCache > capacity) {
                    return -1;
                }
            }
            if (aligned > toEnd) {
                M.writeLong(data + index, header(toEnd, padTag));
                index = 0;
            }
            M.writeLong(data + index, header(-recordLength, dataTag));
            tail = t + required;
            M.writeOrderedLong(tailAddr, t + required);
        } else {
            index = claimMany(aligned, recordLength);
            if (index < 0) {
                return -1;
            }
        }
        return dataIndex + index + RECORD_HEADER;
    }

    /** The multi-producer claim, kept out of {@link #tryClaim} so that the single-producer path stays small. */
    private int claimMany(int aligned, int recordLength) {
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
     * A named multi-producer claim, kept from racing {@link #detachProducer} (a close on another thread) without
     * a fence of its own: the flag below is a release store, and the tail CAS that follows it is the fence. A
     * close that saw the flag waits for the claim to end. A close that did not see it (the store was still in
     * flight) had set {@code closing} before, which the claim then sees after its CAS: it writes its headers by
     * CAS from 0 instead, as an unnamed claim does, so a sweep of a now closed slot voids the claim rather than
     * letting it write into swept space. Returns the record's data index, or -1.
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

    /** 1 while the reserving thread is inside a named claim (release stores; read by a closing thread). */
    volatile int namedClaim;
    private static final java.lang.invoke.VarHandle NAMED_CLAIM = namedClaimHandle();

    private static java.lang.invoke.VarHandle namedClaimHandle() {
        try {
            return java.lang.invoke.MethodHandles.lookup().findVarHandle(RingCore.class, "namedClaim", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set by {@link #detachProducer} before it waits for a named claim in flight. */
    private volatile boolean closing;

    /**
     * Multi-producer step 1: moves {@code tail} past a record of {@code aligned} bytes (and the padding before
     * it if it would cross the end). Returns the old tail, or -1 if there is no room.
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
            // Tells the consumer who owns the claim at t until its header is written (see unblock). A release
            // store: the previous claim's headers are visible before it.
            if (reserving) {
                M.writeOrderedLong(reservationAddr, t + 1);
            }
            if (M.compareAndSwapLong(tailAddr, t, t + required)) {
                return t;
            }
        }
    }

    /**
     * Multi-producer step 2: writes the headers of the space reserved at {@code t}: plain stores, as with one
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
     * Multi-producer step 2 without a reservation (a thread sharing this producer object with the reserving
     * one): the headers are written by CAS from 0. The consumer may have swept the space meanwhile (an
     * unnamed claim is swept after the unblock timeout); then the CAS fails and the claim is void: nothing is
     * written into space the consumer may be past already. Returns the data index of the record, or -1.
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

    private long claimedHeader(long payloadOffset) {
        long index = payloadOffset - RECORD_HEADER - dataIndex;
        if (index < 0 || index >= capacity || (index & (ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("offset " + payloadOffset + " is not a claim of this ring");
        }
        long address = data + index;
        int length = M.readInt(address);
        if (length >= 0 || -length > maxRecord || M.readInt(address + 4) != dataTag) {
            throw new IllegalStateException("no open claim of this producer at offset " + payloadOffset
                    + " (already committed or aborted?)");
        }
        return address;
    }

    /** Publishes the claimed record. */
    public void commit(long payloadOffset) {
        long address = claimedHeader(payloadOffset);
        M.writeOrderedInt(address, -M.readInt(address));
    }

    /**
     * Publishes the claim made by {@link #tryClaim} at {@code payloadOffset} if it is still open; false if the
     * consumer skipped it meanwhile (this producer closed while the message was being written).
     */
    public boolean tryCommit(long payloadOffset) {
        long address = data + (payloadOffset - RECORD_HEADER - dataIndex);
        int length = M.readInt(address);
        if (length >= 0 || M.readInt(address + 4) != dataTag) {
            return false;
        }
        M.writeOrderedInt(address, -length);
        return true;
    }

    /** Turns the claimed record into padding the consumer skips. */
    public void abort(long payloadOffset) {
        long address = claimedHeader(payloadOffset);
        M.writeOrderedLong(address, header(align(-M.readInt(address)), padTag));
    }

    /** Copies {@code length} bytes from {@code src} at its position into a claimed payload. */
    public void put(long payloadOffset, ByteBuffer src, int length) {
        int position = src.position();
        // capacity is final: bounds a position or limit another thread may change under us
        if (length < 0 || length > src.capacity() - position || length > maxMessage) {
            throw new IndexOutOfBoundsException("length " + length + " at position " + position);
        }
        long to = regionAddress + payloadOffset;
        if (length <= SMALL_COPY && src.isDirect() && BUFFER_ADDRESS >= 0) {
            // The ByteBuffer bulk put costs more in checks and its native copy call than a short message
            // takes to copy: read the source address once and copy in words.
            long from = U.getLong(src, BUFFER_ADDRESS) + position;
            if ((from & 7) == 0) {
                copyWords(from, to, length);
            } else {
                U.copyMemory(from, to, length);
            }
            Reference.reachabilityFence(src);
        } else if (src.hasArray()) {
            U.copyMemory(src.array(), BYTE_ARRAY_BASE + src.arrayOffset() + position, null, to, length);
        } else {
            view.put((int) payloadOffset, src, position, length);
        }
    }

    /** Copies a message out of the ring into {@code dst} at {@code position} (room already checked). */
    private void copyOut(long from, ByteBuffer dst, int position, int length) {
        if (length <= SMALL_COPY && dst.isDirect() && BUFFER_ADDRESS >= 0 && !dst.isReadOnly()) {
            // As in put: a short message is cheaper to copy in words than through the bulk ByteBuffer copy.
            copyWords(from, U.getLong(dst, BUFFER_ADDRESS) + position, length);
            Reference.reachabilityFence(dst);
        } else {
            dst.put(position, view, (int) (from - regionAddress), length);
        }
    }

    /** Copies a short message in 8-byte words, then the bytes left over. */
    private static void copyWords(long from, long to, int length) {
        int at = 0;
        for (; at <= length - 8; at += 8) {
            M.writeLong(to + at, M.readLong(from + at));
        }
        for (; at < length; at++) {
            M.writeByte(to + at, M.readByte(from + at));
        }
    }

    /** Messages up to this size are copied word by word. */
    private static final int SMALL_COPY = 256;
    private static final sun.misc.Unsafe U = UnsafeMemory.UNSAFE;
    private static final long BYTE_ARRAY_BASE = U.arrayBaseOffset(byte[].class);
    /** Offset of {@code java.nio.Buffer.address} (a direct buffer's base address), or -1 if not found. */
    private static final long BUFFER_ADDRESS = bufferAddressOffset();

    @SuppressWarnings("deprecation")
    private static long bufferAddressOffset() {
        try {
            long offset = U.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            ByteBuffer probe = ByteBuffer.allocateDirect(8);
            probe.putLong(0, 0x0102030405060708L);
            long address = U.getLong(probe, offset);
            boolean ok = address != 0 && M.readByte(address) == 1 && M.readByte(address + 7) == 8;
            Reference.reachabilityFence(probe);
            return ok ? offset : -1;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ consumer

    private int checkRecord(int length, int index, int tag) throws CorruptedStateException {
        int aligned = align(length);
        int type = tagType(tag);
        if ((type == TYPE_DATA && length > maxRecord) || length < RECORD_HEADER || aligned > capacity - index
                || (type != TYPE_DATA && type != TYPE_PADDING)) {
            throw new CorruptedStateException("ring " + file + ": record at position " + head + " has length "
                    + length + " and type " + type + "; the largest record is " + maxRecord + " bytes, "
                    + (capacity - index) + " bytes are left before the end of the data area");
        }
        return aligned;
    }

    /** A padding record may be consumed only once the producer published the tail past it (SPSC wrap). */
    private boolean covered(long position, int aligned) {
        return M.readVolatileLong(tailAddr) - position >= aligned;
    }

    private void consume(long address, int aligned) {
        releaseRecord(address, aligned);
        M.writeOrderedLong(headAddr, head);
    }

    /**
     * Steps 5 of the format without the head store: marks the record consumed, zeroes it, and moves the local
     * head past it. The caller publishes {@code head}, per message or once per batch: records released but
     * not yet published are all zeros below the published head, which a restarted consumer skips.
     */
    private void releaseRecord(long address, int aligned) {
        // Mark it consumed before zeroing: a consumer killed here restarts by skipping it, not redelivering.
        M.writeLong(address, header(aligned, TYPE_PADDING));
        if (aligned <= 256) {
            // small records: plain stores beat the native setMemory call
            for (int at = RECORD_HEADER; at < aligned; at += 8) {
                M.writeLong(address + at, 0L);
            }
        } else {
            M.setMemory(address + RECORD_HEADER, aligned - RECORD_HEADER, (byte) 0);
        }
        // Release: whoever sees the zero header (a restarted consumer, see skipReleasedRecord) sees zeros behind it.
        M.writeOrderedLong(address, 0L);
        head += aligned;
    }

    /**
     * Delivers up to {@code limit} messages to the handler; returns how many. The head is published once for
     * the batch (as Agrona's consumer does), so producers see the room when the batch is done.
     */
    public int read(MessageHandler handler, int limit) throws CorruptedStateException {
        int count = 0;
        long start = head;
        try {
            while (count < limit) {
                long h = head;
                int index = (int) h & mask;
                long address = data + index;
                int length = M.readVolatileInt(address);
                if (length <= 0) {
                    break;
                }
                int tag = M.readInt(address + 4);
                int aligned = checkRecord(length, index, tag);
                if (tagType(tag) == TYPE_DATA) {
                    count++;
                    try {
                        handler.onMessage(store, dataIndex + index + RECORD_HEADER, length - RECORD_HEADER);
                    } finally {
                        releaseRecord(address, aligned);
                    }
                } else if (covered(h, aligned)) {
                    releaseRecord(address, aligned);
                } else {
                    break;
                }
            }
        } finally {
            if (head != start) {
                M.writeOrderedLong(headAddr, head);
            }
        }
        return count;
    }

    /**
     * Copies the next message into {@code dst}; returns its length or -1 if none is complete.
     *
     * @throws BufferTooSmallException if it does not fit; nothing is consumed
     */
    public int poll(ByteBuffer dst) throws CorruptedStateException, BufferTooSmallException {
        while (true) {
            long h = head;
            int index = (int) h & mask;
            long address = data + index;
            int length = M.readVolatileInt(address);
            if (length <= 0) {
                return -1;
            }
            int tag = M.readInt(address + 4);
            int aligned = checkRecord(length, index, tag);
            if (tagType(tag) != TYPE_DATA) {
                if (!covered(h, aligned)) {
                    return -1;
                }
                consume(address, aligned);
                continue;
            }
            int size = length - RECORD_HEADER;
            int position = dst.position();
            if (dst.remaining() < size) {
                throw new BufferTooSmallException(size, dst.remaining());
            }
            copyOut(address + RECORD_HEADER, dst, position, size);
            dst.position(position + size);
            consume(address, aligned);
            return size;
        }
    }

    /** Bytes between head and tail (claimed or complete, not yet consumed). */
    public long backlog() {
        return M.readVolatileLong(tailAddr) - M.readVolatileLong(headAddr);
    }

    /**
     * Skips a record at the head that a producer claimed but can no longer complete: immediately if its
     * owner's slot shows the owner dead or taken over by a restarted producer; after {@link #CLOSED_CLAIM_GRACE_NANOS}
     * of no progress if the owner closed cleanly (a send racing its close may still be storing the commit);
     * after {@code timeoutNanos} of no progress if the header was never written (its owner is unknown).
     * Returns whether something was skipped. Called by the consumer while it waits.
     */
    public boolean unblock(long timeoutNanos) {
        long h = head;
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
        if (variant != VARIANT_MPSC) {
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
            long s = producerSlot(i);
            long reserved = M.readVolatileLong(s + SLOT_RESERVATION);
            if (reserved == 0 || reserved < wanted) {
                continue;
            }
            int state = ownerState(s);
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

    /** Whether the consumer stands at an open claim of a cleanly closed producer, still inside its grace time. */
    public boolean waitingForClosedClaim() {
        if (stallHead != head || System.nanoTime() - stallSince >= CLOSED_CLAIM_GRACE_NANOS) {
            return false;
        }
        long word = M.readVolatileLong(data + ((int) head & mask));
        if ((int) word < 0) {
            return true;
        }
        if (word != 0 || variant != VARIANT_MPSC) {
            return false;
        }
        for (int i = 0; i < MAX_PRODUCERS; i++) {
            long s = producerSlot(i);
            if (M.readVolatileLong(s + SLOT_RESERVATION) == head + 1 && ownerState(s) == OWNER_CLOSED) {
                return true;
            }
        }
        return false;
    }

    /** Present (alive or being taken), closed (left cleanly) or dead, judged by the slot alone. */
    private static int ownerState(long slot) {
        long owner = M.readVolatileLong(slot);
        if ((int) owner == 0) {
            return (owner >>> 32) == 0 ? OWNER_DEAD : OWNER_CLOSED;
        }
        return isAlive(slot, owner) ? OWNER_PRESENT : OWNER_DEAD;
    }


    private static final int OWNER_PRESENT = 0;
    private static final int OWNER_CLOSED = 1;
    private static final int OWNER_DEAD = 2;

    /**
     * How long the consumer leaves the open claim of a producer that closed cleanly: the producer's process
     * is alive and a send that raced the close may be between checking its claim and storing the commit.
     */
    public static final long CLOSED_CLAIM_GRACE_NANOS = 100_000_000L;

    private int ownerGone(int ownerSlot, int generation16) {
        long s = producerSlot(ownerSlot);
        long owner = M.readVolatileLong(s);
        int pid = (int) owner;
        if (((int) (owner >>> 32) & 0xFFFF) != generation16) {
            return OWNER_DEAD; // the slot was taken over: its old owner is gone for good
        }
        if (pid == 0) {
            return OWNER_CLOSED;
        }
        return isAlive(s, owner) ? OWNER_PRESENT : OWNER_DEAD;
    }

    // ------------------------------------------------------------------ properties

    public int capacity() {
        return capacity;
    }

    public int maxMessage() {
        return maxMessage;
    }

    public int variant() {
        return variant;
    }

    public int kind() {
        return kind;
    }

    public MappedStore store() {
        return store;
    }
}
