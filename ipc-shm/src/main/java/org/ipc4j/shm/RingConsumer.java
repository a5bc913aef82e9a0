package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.ipc4j.api.BufferTooSmallException;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.Receiver;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.ReceiveEnd;
import org.ipc4j.shm.internal.MappedStore;
import org.ipc4j.shm.internal.RingReader;
import org.ipc4j.shm.internal.RingSlots;

/**
 * The consumer end of a shared-memory ring ({@link ShmRing}), or the receiving end of a {@link ShmChannel}: a
 * {@link Receiver}, plus zero-copy batch reads with {@link #read(MessageHandler, int)}. {@code byte[] receive()}
 * allocates exactly the message's size.
 *
 * <p><b>Blocking.</b> {@code receive} waits while the ring is empty, by the {@link WaitStrategy}; the timed
 * forms return {@link #NO_MESSAGE} / {@code null} when the timeout passes; {@code tryReceive} and
 * {@code read} never wait. Waits are interruptible ({@link InterruptedIOException}, interrupt status kept)
 * and end with {@link EndpointClosedException} at once on {@link #close()} (within about a millisecond where the wait
 * parks in slices: see {@link WaitStrategy}).
 *
 * <p><b>Peers.</b> A receive whose ring is empty while every producer is gone (closed or died) throws
 * {@link org.ipc4j.api.PeerGoneException}, after the complete messages they left. A producer that dies
 * between claim and commit leaves a record this end skips as soon as it sees the owner is gone.
 *
 * <p><b>Threads.</b> One thread at a time.
 *
 * <p><b>Ownership.</b> The caller owns a ring's consumer and must close it: that releases its slot and the
 * mapping, not the name (see {@link #unlink()}). A channel's end belongs to the channel.
 */
@SuppressWarnings("exports") // the skeleton is internal; clients only call Receiver's methods and the ones here
public final class RingConsumer extends ReceiveEnd implements NamedObject {
    private final SharedMemory region;
    private final RingReader reader;
    private final WaitStrategy wait;
    private final long unblockNanos;
    private final PeerWatch peer;
    private final String what;
    private final boolean ownsRegion;
    private final LivenessClock clock = new LivenessClock();
    private volatile boolean closed;
    private final RingWaits.Waiter waiter = new RingWaits.Waiter() {
        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public String describe() {
            return what;
        }

        @Override
        public boolean dueForCheck() {
            return clock.due();
        }
    };

    RingConsumer(SharedMemory region, RingReader reader, ShmRingConfig config, PeerWatch peer, String what,
            boolean ownsRegion) {
        this.region = region;
        this.reader = reader;
        this.wait = config.waitStrategy();
        this.unblockNanos = RingWaits.timeoutNanos(config.unblockTimeout());
        this.peer = peer;
        this.what = what;
        this.ownsRegion = ownsRegion;
    }

    @Override
    protected ByteBuffer receive(ByteBuffer destination, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        // the fast path inlines into the caller; waiting and peer checks are the wait loop's, a separate call
        region.checkFault();
        try {
            ByteBuffer filled = reader.poll(destination);
            return filled != null ? filled
                    : RingWaits.receive(waiter, peer, reader, wait, unblockNanos, destination, deadline, mayWait);
        } catch (InternalError e) {
            throw region.faulted(e);
        }
    }

    /**
     * Delivers up to {@code limit} complete messages to {@code handler}, without waiting and without copying.
     * A message is consumed once the handler returns (or throws).
     *
     * @return how many messages were delivered (0 if none is complete)
     * @throws CorruptedStateException if a record header in the ring is invalid, or the region's file was
     *         truncated by another process
     * @throws IllegalArgumentException if {@code limit} is not positive
     * @throws EndpointClosedException if closed
     */
    public int read(MessageHandler handler, int limit) throws IpcException {
        if (closed) {
            throw closedException();
        }
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        region.checkFault();
        try {
            return reader.read(handler, region.view(), limit);
        } catch (InternalError e) {
            throw region.faulted(e);
        }
    }

    /**
     * Skips an abandoned claim at the head of the ring if its producer is gone (or, for a claim whose header
     * was never written, once the unblock timeout has passed). The blocking receives do this themselves.
     *
     * @return whether a claim was skipped
     */
    public boolean unblock() throws EndpointClosedException {
        if (closed) {
            throw closedException();
        }
        return reader.unblock(unblockNanos);
    }

    /**
     * The whole region, for reading handed-out messages. Owned by the ring; every access throws after the
     * region is closed.
     */
    public RegionBytes bytes() {
        return region.view();
    }

    /**
     * The whole region as Chronicle Bytes, for reading handed-out messages with Chronicle's API: see
     * {@link SharedMemory#chronicleBytes()} for what it needs. Owned by the ring; every access throws after
     * the region is closed.
     *
     * @throws IllegalStateException if the region is closed
     * @throws UnsupportedOperationException if Chronicle Bytes is not on the class path or does not load
     */
    public net.openhft.chronicle.bytes.BytesStore<?, ?> chronicleBytes() {
        return region.chronicleBytes();
    }

    /** The largest message in bytes; a destination of this size always fits (else {@link BufferTooSmallException}). */
    @Override
    public int maxMessageSize() {
        return reader.memory().maxMessage();
    }

    /** Bytes of the data area. */
    public int capacity() {
        return reader.memory().capacity();
    }

    /**
     * The ring's variant, as its creator chose it and its header records it.
     *
     * @return single- or multi-producer
     */
    public ShmRingConfig.Variant variant() {
        return ShmRing.variantOf(reader.memory());
    }

    /** Bytes claimed or queued and not yet consumed (a snapshot). */
    public long backlog() {
        return reader.backlog();
    }

    /** Whether at least one producer is attached and alive (asks the kernel, one {@code fcntl}: not for hot paths). */
    public boolean producerAlive() {
        return RingSlots.producersState(reader.memory()) == RingSlots.SlotState.ALIVE;
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

    /** Removes the region's name (see {@link SharedMemory#unlink()}). */
    @Override
    public void unlink() throws IpcException {
        region.unlink();
    }

    @Override
    protected String describe() {
        return what;
    }

    /** Leaves the consumer slot (producers see it go) and, for a ring, unmaps; idempotent; wakes waiters. */
    @Override
    public synchronized void close() throws IpcException {
        if (closed) {
            return;
        }
        closed = true;
        // a thread of this end asleep on the doorbell wakes now and sees the close
        reader.memory().dataBell().wakeAll();
        try {
            if ((region.store().state() & MappedStore.FAULTED) == 0) {
                reader.detach();
            }
        } catch (InternalError e) {
            // the file was truncated under the mapping: its slot went with it, there is nothing to leave
        }
        // producers asleep on a full ring check their consumer now, and see it leave
        reader.memory().roomBell().wakeAll();
        if (ownsRegion) {
            region.close();
        }
    }

    @Override
    public String toString() {
        return "RingConsumer[" + what + ", " + variant() + ", capacity " + capacity() + (closed ? ", closed" : "") + "]";
    }
}
