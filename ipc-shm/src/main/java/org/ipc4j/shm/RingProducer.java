package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.MessageTooLargeException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.Sender;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.SendEnd;
import org.ipc4j.shm.internal.MappedStore;
import org.ipc4j.shm.internal.RingSlots;
import org.ipc4j.shm.internal.RingWriter;

/**
 * The producer end of a shared-memory ring ({@link ShmRing}), or the sending end of a {@link ShmChannel}: a
 * {@link Sender}, plus zero-copy {@link #tryClaim(int)} / {@link #commit(long)} / {@link #abort(long)}.
 *
 * <p><b>Blocking.</b> {@code send} waits while the ring is full, by the {@link WaitStrategy}; the timed form
 * returns {@code false} when the timeout passes, {@code trySend} and {@code tryClaim} never wait. Waits are
 * interruptible ({@link InterruptedIOException}, interrupt status kept) and end with
 * {@link EndpointClosedException} at once on {@link #close()} (within about a millisecond where the wait
 * parks in slices: see {@link WaitStrategy}).
 *
 * <p><b>Peers.</b> A send whose ring is full while the consumer is gone (closed or died) throws
 * {@link org.ipc4j.api.PeerGoneException}; a send with room succeeds even with no consumer attached (a
 * restarted consumer reads it). A channel's sending end also throws once the peer has closed its end.
 *
 * <p><b>Threads.</b> The producer of a multi-producer ring is thread-safe: the first thread to send takes the
 * fastest path, others sharing the end claim by compare-and-swap (open one end per producing thread for full
 * speed). A single-producer ring's producer must be used by one thread at a time.
 *
 * <p><b>Ownership.</b> The caller owns a ring's producer and must close it: that releases its slot and the
 * mapping, not the name (see {@link #unlink()}). A channel's end belongs to the channel.
 */
@SuppressWarnings("exports") // the skeleton is internal; clients only call Sender's methods and the ones here
public final class RingProducer extends SendEnd implements NamedObject {
    private final SharedMemory region;
    private final RingWriter writer;
    private final int maxMessage;
    private final WaitStrategy wait;
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

    RingProducer(SharedMemory region, RingWriter writer, ShmRingConfig config, PeerWatch peer, String what,
            boolean ownsRegion) {
        this.region = region;
        this.writer = writer;
        this.maxMessage = writer.memory().maxMessage();
        this.wait = config.waitStrategy();
        this.peer = peer;
        this.what = what;
        this.ownsRegion = ownsRegion;
    }

    /**
     * The fast path, small enough to inline into a caller's loop: one claim, copy and commit. Anything else
     * (no room, a peer to check, a claim skipped under a racing close) is the wait loop's, a separate call.
     */
    @Override
    protected boolean send(ByteBuffer message, Deadline deadline, boolean mayWait)
            throws IpcException, InterruptedIOException {
        region.checkFault();
        try {
            if (peer.receiverClosed() == null) {
                int length = message.remaining();
                long offset = writer.tryClaim(length);
                if (offset >= 0) {
                    writer.put(offset, message, length);
                    if (writer.tryCommit(offset)) {
                        return true;
                    }
                }
            }
            return RingWaits.send(waiter, peer, writer, wait, message, deadline, mayWait);
        } catch (InternalError e) {
            throw region.faulted(e);
        }
    }

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
     * @throws org.ipc4j.api.CorruptedStateException if the region's file was truncated by another process
     */
    public long tryClaim(int length) throws IpcException {
        if (closed) {
            throw closedException();
        }
        if (length < 0 || length > maxMessage) {
            throw badLength(length);
        }
        region.checkFault();
        try {
            return writer.tryClaim(length);
        } catch (InternalError e) {
            throw region.faulted(e);
        }
    }

    private IpcException badLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        return new MessageTooLargeException(what, length, maxMessage);
    }

    /**
     * Publishes a claimed message.
     *
     * @throws IllegalStateException if there is no open claim at {@code offset}
     * @throws EndpointClosedException if closed
     * @throws CorruptedStateException if the region's file was truncated by another process
     */
    public void commit(long offset) throws IpcException {
        if (closed) {
            throw closedException();
        }
        region.checkFault();
        try {
            writer.commit(offset);
        } catch (InternalError e) {
            throw region.faulted(e);
        } catch (IllegalStateException e) {
            if (closed) {
                // a close racing this commit let the consumer skip the claim: report the close, not misuse
                throw closedException();
            }
            throw e;
        }
    }

    /**
     * Gives up a claim: the consumer skips its space.
     *
     * @throws IllegalStateException if there is no open claim at {@code offset}
     * @throws EndpointClosedException if closed
     * @throws CorruptedStateException if the region's file was truncated by another process
     */
    public void abort(long offset) throws IpcException {
        if (closed) {
            throw closedException();
        }
        region.checkFault();
        try {
            writer.abort(offset);
        } catch (InternalError e) {
            throw region.faulted(e);
        }
    }

    /**
     * The whole region, for writing claimed messages. Owned by the ring; every access throws after the
     * region is closed.
     */
    public RegionBytes bytes() {
        return region.view();
    }

    /**
     * The whole region as Chronicle Bytes, for writing claimed messages with Chronicle's API: see
     * {@link SharedMemory#chronicleBytes()} for what it needs. Owned by the ring; every access throws after
     * the region is closed.
     *
     * @throws IllegalStateException if the region is closed
     * @throws UnsupportedOperationException if Chronicle Bytes is not on the class path or does not load
     */
    public net.openhft.chronicle.bytes.BytesStore<?, ?> chronicleBytes() {
        return region.chronicleBytes();
    }

    /** The largest message in bytes. */
    @Override
    public int maxMessageSize() {
        return maxMessage;
    }

    /** Bytes of the data area. */
    public int capacity() {
        return writer.memory().capacity();
    }

    /**
     * The ring's variant, as its creator chose it and its header records it.
     *
     * @return single- or multi-producer
     */
    public ShmRingConfig.Variant variant() {
        return ShmRing.variantOf(writer.memory());
    }

    /** Bytes claimed or queued and not yet consumed (a snapshot). */
    public long backlog() {
        return writer.backlog();
    }

    /** Whether a consumer is attached and alive (asks the kernel, one {@code fcntl}: not for hot paths). */
    public boolean consumerAlive() {
        return RingSlots.consumerState(writer.memory()) == RingSlots.SlotState.ALIVE;
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

    /** Leaves the producer slot (the consumer sees it go) and, for a ring, unmaps; idempotent; wakes waiters. */
    @Override
    public synchronized void close() throws IpcException {
        if (closed) {
            return;
        }
        closed = true;
        // a thread of this end asleep on the doorbell wakes now and sees the close
        writer.memory().roomBell().wakeAll();
        try {
            if ((region.store().state() & MappedStore.FAULTED) == 0 && !writer.detach()) {
                region.keepLivenessUntilExit();
            }
        } catch (InternalError e) {
            // the file was truncated under the mapping: its slot went with it, there is nothing to leave
        }
        // a consumer asleep on the doorbell checks its producers now, and sees this one leave
        writer.memory().dataBell().wakeAll();
        if (ownsRegion) {
            region.close();
        }
    }

    @Override
    public String toString() {
        return "RingProducer[" + what + ", " + variant() + ", capacity " + capacity() + (closed ? ", closed" : "") + "]";
    }
}
