package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.shm.internal.RingCore;
import org.ipc4j.shm.internal.RingLayout;

/**
 * A duplex message {@link Channel} between two processes over shared memory: one region holding two
 * single-producer rings, A-to-B and B-to-A. Address: {@code shm:NAME?capacity=1m&maxmsg=128k&role=auto}
 * (see {@code docs/shm.md}).
 *
 * <p><b>Sides.</b> A channel has two sides, A and B. With {@link Side#AUTO} the first process to open the
 * name takes side A and the second side B; {@link Side#A}/{@link Side#B} choose explicitly. A side held by a
 * live process cannot be taken ({@link LimitReachedException}); a side whose process died can, so a
 * restarted peer re-attaches and continues with the messages still queued.
 *
 * <p><b>Blocking and close.</b> As {@link org.ipc4j.api.Sender} and {@link org.ipc4j.api.Receiver}
 * specify; waits follow the {@link WaitStrategy} of the config. One thread may send while another
 * receives; several senders (or receivers) must be serialised by the caller.
 *
 * <p><b>Peer gone.</b> A receive reports {@link org.ipc4j.api.PeerGoneException} once the messages the peer
 * completed are taken and the peer has closed or died (pid and start time checked every 10 ms while
 * waiting). A send reports it when the peer closed, or when the ring is full and the peer died.
 *
 * <p><b>Ownership.</b> The caller owns the channel and must close it; closing does not remove the name
 * unless the options say {@link OpenOptions#unlinkOnClose(boolean)} ({@code unlink=true} in the address).
 */
public final class ShmChannel implements Channel, NamedObject {
    /** Which side of the channel to take. */
    public enum Side { A, B, AUTO }

    private final SharedMemory region;
    private final RingCore out;
    private final RingCore in;
    private final Side side;
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
            return "shm channel " + region.name() + " (side " + side + ")";
        }

        @Override
        public boolean receiverDetached(RingCore ring) {
            return ring.consumerDetached();
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

    private ShmChannel(SharedMemory region, RingCore out, RingCore in, Side side, ShmRingConfig config) {
        this.region = region;
        this.out = out;
        this.in = in;
        this.side = side;
        this.wait = config.waitStrategy();
        this.unblockNanos = RingWaits.timeoutNanos(config.unblockTimeout());
    }

    /** Bytes of a channel region for a ring capacity. */
    static long regionBytes(long capacity) {
        return 2 * RingLayout.ringBytes(capacity);
    }

    /**
     * Creates or opens the channel {@code name} and takes a side. A new channel gets the capacity and maximum
     * message of {@code config} for each direction (the variant is always single-producer); an existing one
     * keeps its own.
     *
     * @throws LimitReachedException if the requested side (or, for AUTO, both) is held by a live process
     * @throws CorruptedStateException if the file is not a valid channel (names the file and field)
     * @throws org.ipc4j.api.ObjectExistsException / {@link org.ipc4j.api.NoSuchObjectException} by the open mode
     */
    public static ShmChannel open(String name, Side side, ShmRingConfig config, OpenOptions options)
            throws IpcException {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        long capacity = config.capacity();
        int maxMessage = config.checkedMaxMessage();
        SharedMemory region = options.mayCreate()
                ? SharedMemory.open(name, regionBytes(capacity), 0, options, (store, file) -> {
                    RingCore.format(store, 0, capacity, maxMessage, RingLayout.VARIANT_SPSC, RingLayout.KIND_CHANNEL_A_TO_B);
                    RingCore.format(store, RingLayout.ringBytes(capacity), capacity, maxMessage, RingLayout.VARIANT_SPSC,
                            RingLayout.KIND_CHANNEL_B_TO_A);
                })
                : SharedMemory.open(name, options);
        try {
            Path file = region.path();
            if (config.prefault()) {
                region.prefault();
            }
            RingCore aToB = RingCore.attach(region.store(), 0, file, RingLayout.KIND_CHANNEL_A_TO_B, RingLayout.VARIANT_SPSC);
            RingCore bToA = RingCore.attach(region.store(), RingLayout.ringBytes(aToB.capacity()), file,
                    RingLayout.KIND_CHANNEL_B_TO_A, RingLayout.VARIANT_SPSC);
            if (side != Side.B && take(aToB, bToA)) {
                return new ShmChannel(region, aToB, bToA, Side.A, config);
            }
            if (side != Side.A && take(bToA, aToB)) {
                return new ShmChannel(region, bToA, aToB, Side.B, config);
            }
            throw new LimitReachedException("shm channel " + file + ": " + (side == Side.AUTO ? "both sides are"
                    : "side " + side + " is") + " held by live processes (A: " + aToB.producerHolders() + ", B: "
                    + bToA.producerHolders() + ")", "sides", 2);
        } catch (IpcException | RuntimeException e) {
            region.abandon(); // keep the name: the file may be another process's
            throw e;
        }
    }

    /** Takes one side: producer of {@code out} and consumer of {@code in}, both or neither. */
    private static boolean take(RingCore out, RingCore in) {
        if (!out.attachProducer()) {
            return false;
        }
        if (!in.attachConsumer()) {
            out.detachProducer();
            return false;
        }
        return true;
    }

    /** Which side this end took. */
    public Side side() {
        return side;
    }

    @Override
    public void send(ByteBuffer message) throws IpcException, InterruptedIOException {
        RingWaits.send(endpoint, out, wait, message, RingWaits.FOREVER);
    }

    @Override
    public boolean send(ByteBuffer message, Duration timeout) throws IpcException, InterruptedIOException {
        return RingWaits.send(endpoint, out, wait, message, RingWaits.timeoutNanos(timeout));
    }

    @Override
    public boolean trySend(ByteBuffer message) throws IpcException {
        try {
            return RingWaits.send(endpoint, out, wait, message, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-blocking send does not wait", e);
        }
    }

    @Override
    public int receive(ByteBuffer destination) throws IpcException, InterruptedIOException {
        return RingWaits.receive(endpoint, in, wait, unblockNanos, destination, RingWaits.FOREVER);
    }

    @Override
    public int receive(ByteBuffer destination, Duration timeout) throws IpcException, InterruptedIOException {
        return RingWaits.receive(endpoint, in, wait, unblockNanos, destination, RingWaits.timeoutNanos(timeout));
    }

    @Override
    public int tryReceive(ByteBuffer destination) throws IpcException {
        try {
            return RingWaits.receive(endpoint, in, wait, unblockNanos, destination, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a non-blocking receive does not wait", e);
        }
    }

    @Override
    public int maxMessageSize() {
        return out.maxMessage();
    }

    /** Bytes of each direction's ring. */
    public int capacity() {
        return out.capacity();
    }

    /** Whether the other side is attached and alive (reads {@code /proc}: not for hot paths). */
    public boolean peerAlive() {
        return in.producersState() == RingCore.SlotState.ALIVE;
    }

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

    /** Leaves both rings (the peer sees this side go) and unmaps; idempotent; wakes waiting threads. */
    @Override
    public synchronized void close() throws IpcException {
        if (closed) {
            return;
        }
        closed = true;
        out.detachProducer();
        in.detachConsumer();
        region.close();
    }

    @Override
    public String toString() {
        return "ShmChannel[" + region.name() + ", side " + side + ", capacity " + capacity() + (closed ? ", closed" : "")
                + "]";
    }
}
