package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import net.openhft.chronicle.bytes.BytesStore;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.shm.internal.RingCore;
import org.ipc4j.shm.internal.RingLayout;

/**
 * A lock-free ring buffer of variable-length messages in a named shared-memory region, one end of it: this
 * object is either the {@linkplain Role#PRODUCER producer} or the {@linkplain Role#CONSUMER consumer}.
 * Single-producer rings take one producer, multi-producer rings up to 64 (threads of one producer object,
 * or processes); there is always one consumer. The binary layout is specified in {@code docs/shm-format.md}.
 *
 * <pre>{@code
 * ShmRingConfig config = ShmRingConfig.defaults().capacity(1 << 20);
 * try (ShmRing out = ShmRing.open("quotes", ShmRing.Role.PRODUCER, config, OpenOptions.openOrCreate())) {
 *     out.send(ByteBuffer.wrap(bytes));                 // waits while the ring is full
 *     long at = out.tryClaim(16);                        // zero-copy: write in place, then commit
 *     if (at >= 0) { out.bytes().writeLong(at, 1); out.bytes().writeLong(at + 8, 2); out.commit(at); }
 * }
 * // in the consumer process
 * try (ShmRing in = ShmRing.open("quotes", ShmRing.Role.CONSUMER, config, OpenOptions.openOrCreate())) {
 *     in.read((region, offset, length) -> handle(region, offset, length), 100);
 * }
 * }</pre>
 *
 * <p><b>Blocking.</b> {@code send} waits while the ring is full, {@code receive} while it is empty, both by
 * the {@link WaitStrategy}; the timed forms return {@code false} / {@link #NO_MESSAGE}; {@code trySend},
 * {@code tryReceive}, {@code tryClaim} and {@code read} never wait. Waits are interruptible
 * ({@link InterruptedIOException}, interrupt status kept) and end with {@link EndpointClosedException}
 * within about a millisecond of {@link #close()}.
 *
 * <p><b>Peers.</b> Each end registers its pid and process start time in the ring. A consumer whose ring is
 * empty and whose producers have all closed or died gets {@link PeerGoneException} (after the complete
 * messages they left); a producer whose ring is full and whose consumer is gone gets it too. A producer that
 * dies between claim and commit leaves a record the consumer skips as soon as it sees the owner is gone. A
 * restarted producer or consumer re-attaches and continues where the ring stands: committed messages are
 * neither lost nor delivered twice (one message being copied out by a consumer that is killed is delivered
 * again).
 *
 * <p><b>Threads.</b> Producer methods of a multi-producer ring are thread-safe; the first thread to send
 * takes the fastest path, others sharing the end claim by compare-and-swap (open one end per producing
 * thread for full speed). A single-producer ring's producer, and every consumer, must be used by one thread
 * at a time.
 *
 * <p><b>Ownership.</b> The caller owns this object and must close it. Closing releases this end's slot
 * and the mapping, not the name; see {@link #unlink()}. After close, every method throws
 * {@link EndpointClosedException} or {@link IllegalStateException}, and {@link #bytes()} views throw.
 */
public final class ShmRing implements NamedObject {
    /** Returned by the timed and try receives when no message is available. */
    public static final int NO_MESSAGE = -1;

    /** Which end of the ring this object is. */
    public enum Role { PRODUCER, CONSUMER }

    private final SharedMemory region;
    private final RingCore core;
    private final Role role;
    private final WaitStrategy wait;
    private final long unblockNanos;
    private final LivenessClock clock = new LivenessClock();
    private volatile boolean closed;
    private final RingWaits.Endpoint endpoint = new RingWaits.Endpoint() {
        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public String describe() {
            return "ring " + region.name();
        }

        @Override
        public boolean receiverDetached(RingCore ring) {
            return false; // a ring's consumer may restart: only a full ring asks about it
        }

        @Override
        public boolean receiverGone(RingCore ring) {
            return ring.consumerState() == RingCore.SlotState.GONE;
        }

        @Override
        public boolean sendersGone(RingCore ring) {
            return ring.producersState() == RingCore.SlotState.GONE;
        }

        @Override
        public boolean dueForCheck() {
            return clock.due();
        }
    };

    private ShmRing(SharedMemory region, RingCore core, Role role, ShmRingConfig config) {
        this.region = region;
        this.core = core;
        this.role = role;
        this.wait = config.waitStrategy();
        this.unblockNanos = RingWaits.timeoutNanos(config.unblockTimeout());
    }

    /** Creates the ring {@code name} (it must not exist) and attaches as {@code role}. */
    public static ShmRing create(String name, Role role, ShmRingConfig config) throws IpcException {
        return open(name, role, config, OpenOptions.create());
    }

    /** Attaches as {@code role} to the existing ring {@code name}, with the default wait strategy. */
    public static ShmRing open(String name, Role role) throws IpcException {
        return open(name, role, ShmRingConfig.defaults(), OpenOptions.open());
    }

    /**
     * Creates or opens the ring {@code name} as {@code options} say, and attaches as {@code role}. A new
     * ring gets the capacity, maximum message and variant of {@code config}; an existing ring keeps its own
     * (they are in its header), and {@code config} only supplies the wait strategy and unblock timeout.
     *
     * @throws IllegalArgumentException for a bad name, or a maximum message too large for the capacity
     * @throws CorruptedStateException if the existing file is not a valid ring (names the file and field)
     * @throws LimitReachedException if the role is taken by a live process (the consumer, the producer of a
     *         single-producer ring, or all 64 producer slots), or a new ring does not fit in the file system
     * @throws org.ipc4j.api.ObjectExistsException if creating and the name exists
     * @throws org.ipc4j.api.NoSuchObjectException if opening and there is no such ring
     */
    public static ShmRing open(String name, Role role, ShmRingConfig config, OpenOptions options)
            throws IpcException {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        long capacity = config.capacity();
        int maxMessage = config.checkedMaxMessage();
        int variant = config.variantCode();
        SharedMemory region = options.mayCreate()
                ? SharedMemory.open(name, RingLayout.ringBytes(capacity), 0, options,
                        (store, file) -> RingCore.format(store, 0, capacity, maxMessage, variant, RingLayout.KIND_RING))
                : SharedMemory.open(name, options);
        try {
            if (config.prefault()) {
                region.prefault();
            }
            RingCore core = RingCore.attach(region.store(), 0, region.path(), RingLayout.KIND_RING, 0);
            boolean attached = role == Role.PRODUCER ? core.attachProducer() : core.attachConsumer();
            if (!attached) {
                String who = role == Role.PRODUCER ? core.producerHolders() : core.consumerHolder();
                int limit = role == Role.PRODUCER && core.variant() == RingLayout.VARIANT_MPSC ? RingLayout.MAX_PRODUCERS : 1;
                throw new LimitReachedException("ring " + region.path() + " already has its " + role.name().toLowerCase()
                        + (limit > 1 ? "s (" + limit + ")" : "") + " attached (" + who + ")"
                        + (limit == 1 && role == Role.PRODUCER ? "; create it MULTI_PRODUCER for several producers" : ""),
                        role == Role.PRODUCER ? "producers" : "consumers", limit);
            }
            return new ShmRing(region, core, role, config);
        } catch (IpcException | RuntimeException e) {
            region.abandon(); // keep the name: the file may be another process's
            throw e;
        }
    }

    /** Removes the name {@code name}; returns whether it existed. See {@link SharedMemory#unlink(String)}. */
    public static boolean unlink(String name) throws IpcException {
        return SharedMemory.unlink(name);
    }

    // ------------------------------------------------------------------ producer

    /**
     * Reserves room for a message of {@code length} bytes without waiting. Write the message into
     * {@link #bytes()} at the returned offset, then {@link #commit(long)} (or {@link #abort(long)}); the
     * consumer sees nothing until the commit. Keep the time between claim and commit short: the consumer
     * cannot pass an open claim.
     *
     * @return the offset of the message bytes in {@link #bytes()}, or -1 if the ring has no room now (in a
     *         multi-producer ring also, rarely, for a thread sharing this producer end with another that sent
     *         first, when it was held up for longer than the consumer's unblock timeout between reserving and
     *         claiming, and the consumer skipped the space: try again)
     * @throws MessageTooLargeException if {@code length} exceeds {@link #maxMessageSize()}; nothing is claimed
     * @throws IllegalArgumentException if {@code length} is negative
     * @throws EndpointClosedException if closed
     */
    public long tryClaim(int length) throws IpcException {
        producerCheck();
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        if (length > core.maxMessage()) {
            throw new MessageTooLargeException("ring " + region.name(), length, core.maxMessage());
        }
        return core.tryClaim(length);
    }

    /**
     * Publishes a claimed message.
     *
     * @throws IllegalStateException if there is no open claim at {@code offset}
     */
    public void commit(long offset) throws EndpointClosedException {
        producerCheck();
        try {
            core.commit(offset);
        } catch (IllegalStateException e) {
            if (closed) {
                // a close racing this commit let the consumer skip the claim: report the close, not misuse
                throw new EndpointClosedException("ring " + region.name());
            }
            throw e;
        }
    }

    /** Gives up a claim: the consumer skips its space. */
    public void abort(long offset) throws EndpointClosedException {
        producerCheck();
        core.abort(offset);
    }

    /** Sends the bytes between position and limit if there is room now; see {@link org.ipc4j.api.Sender}. */
    public boolean trySend(ByteBuffer message) throws IpcException {
        producerCheck();
        try {
            return RingWaits.send(endpoint, core, wait, message, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-blocking send does not wait", e);
        }
    }

    /** Sends one message, waiting while the ring is full. */
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        producerCheck();
        RingWaits.send(endpoint, core, wait, message, RingWaits.FOREVER);
    }

    /** Sends one message, waiting at most {@code timeout}; false if it timed out (nothing sent). */
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        producerCheck();
        return RingWaits.send(endpoint, core, wait, message, RingWaits.timeoutNanos(timeout));
    }

    // ------------------------------------------------------------------ consumer

    /**
     * Delivers up to {@code limit} complete messages to {@code handler}, without waiting and without copying.
     *
     * @return how many messages were delivered (0 if none is complete)
     * @throws CorruptedStateException if a record header in the ring is invalid
     */
    public int read(MessageHandler handler, int limit) throws IpcException {
        consumerCheck();
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return core.read(handler, limit);
    }

    /**
     * Receives the next message into {@code destination} if one is complete, without waiting.
     *
     * @return its length, or {@link #NO_MESSAGE}
     * @throws BufferTooSmallException if it does not fit; nothing is consumed
     * @throws PeerGoneException if the ring is empty and every producer is gone
     */
    public int tryReceive(ByteBuffer destination) throws IpcException {
        consumerCheck();
        try {
            return RingWaits.receive(endpoint, core, wait, unblockNanos, destination, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-blocking receive does not wait", e);
        }
    }

    /** Receives the next message, waiting while there is none; see {@link org.ipc4j.api.Receiver}. */
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        consumerCheck();
        return RingWaits.receive(endpoint, core, wait, unblockNanos, destination, RingWaits.FOREVER);
    }

    /** Receives the next message, waiting at most {@code timeout}; {@link #NO_MESSAGE} if none came. */
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        consumerCheck();
        return RingWaits.receive(endpoint, core, wait, unblockNanos, destination, RingWaits.timeoutNanos(timeout));
    }

    /**
     * Skips an abandoned claim at the head of the ring if its producer is gone (or, for a claim whose header
     * was never written, once the unblock timeout has passed). The blocking receives do this themselves.
     *
     * @return whether a claim was skipped
     */
    public boolean unblock() throws EndpointClosedException {
        consumerCheck();
        return core.unblock(unblockNanos);
    }

    // ------------------------------------------------------------------ properties

    /**
     * The whole region as Chronicle bytes, for writing claimed messages and reading handed-out ones. Owned by
     * this ring; every access throws after {@link #close()}.
     */
    public BytesStore<?, ?> bytes() {
        return region.bytes();
    }

    public Role role() {
        return role;
    }

    public ShmRingConfig.Variant variant() {
        return core.variant() == RingLayout.VARIANT_SPSC ? ShmRingConfig.Variant.SINGLE_PRODUCER
                : ShmRingConfig.Variant.MULTI_PRODUCER;
    }

    /** Bytes of the data area. */
    public int capacity() {
        return core.capacity();
    }

    /** The largest message in bytes. */
    public int maxMessageSize() {
        return core.maxMessage();
    }

    /** Bytes claimed or queued and not yet consumed (a snapshot). */
    public long backlog() {
        return core.backlog();
    }

    /** Whether a consumer is attached and alive (reads {@code /proc}: not for hot paths). */
    public boolean consumerAlive() {
        return core.consumerState() == RingCore.SlotState.ALIVE;
    }

    /** Whether at least one producer is attached and alive (reads {@code /proc}: not for hot paths). */
    public boolean producerAlive() {
        return core.producersState() == RingCore.SlotState.ALIVE;
    }

    /** The region file. */
    public Path path() {
        return region.path();
    }

    @Override
    public String name() {
        return region.name();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void unlink() throws IpcException {
        region.unlink();
    }

    /** Detaches this end (other processes see it leave) and unmaps; idempotent. Wakes waiting threads. */
    @Override
    public synchronized void close() throws IpcException {
        if (closed) {
            return;
        }
        closed = true;
        if (role == Role.PRODUCER) {
            core.detachProducer();
        } else {
            core.detachConsumer();
        }
        region.close();
    }

    private void producerCheck() throws EndpointClosedException {
        if (closed) {
            throw new EndpointClosedException("ring " + region.name());
        }
        if (role != Role.PRODUCER) {
            throw new IllegalStateException("ring " + region.name() + ": this end is the consumer");
        }
    }

    private void consumerCheck() throws EndpointClosedException {
        if (closed) {
            throw new EndpointClosedException("ring " + region.name());
        }
        if (role != Role.CONSUMER) {
            throw new IllegalStateException("ring " + region.name() + ": this end is the producer");
        }
    }

    @Override
    public String toString() {
        return "ShmRing[" + region.name() + ", " + role + ", " + variant() + ", capacity " + capacity()
                + (closed ? ", closed" : "") + "]";
    }
}
