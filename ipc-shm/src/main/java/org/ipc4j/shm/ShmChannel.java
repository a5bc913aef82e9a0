package org.ipc4j.shm;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Objects;
import org.ipc4j.api.Channel;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.Role;
import org.ipc4j.api.internal.DuplexChannel;
import org.ipc4j.api.internal.SideLease;
import org.ipc4j.shm.internal.RegionFiles;
import org.ipc4j.shm.internal.RingLayout;
import org.ipc4j.shm.internal.RingMemory;
import org.ipc4j.shm.internal.RingReader;
import org.ipc4j.shm.internal.RingSlots;
import org.ipc4j.shm.internal.RingWriter;

/**
 * A duplex message {@link Channel} between two processes over shared memory: one region holding two
 * single-producer rings, A-to-B and B-to-A, made of a {@link RingProducer} towards the peer and a
 * {@link RingConsumer} from it. Address: {@code shm:NAME?capacity=1m&maxmsg=128k&role=auto} (see
 * {@code docs/shm.md}).
 *
 * <p><b>Sides and sessions.</b> A channel has two sides, A and B, held through OS locks on a lease file
 * beside the region ({@code .NAME.lease}: no region name starts with a dot). With {@link Role#AUTO} the
 * first opener takes side A and the second side B, whichever starts first; {@link Role#A}/{@link Role#B}
 * choose explicitly. A side held by a live process cannot be taken ({@link LimitReachedException}); a side
 * whose process died can, so a restarted peer re-attaches to a live partner and receives what was queued for
 * it. When the last open end closes, the session ends: the region and the lease file are removed, and the
 * next pair of openers starts a fresh channel.
 *
 * <p><b>Blocking and close.</b> As {@link org.ipc4j.api.Sender} and {@link org.ipc4j.api.Receiver}
 * specify; waits follow the {@link WaitStrategy} of the config. One thread may send while another
 * receives; several senders (or receivers) must be serialised by the caller.
 *
 * <p><b>Peer gone.</b> A receive reports {@link org.ipc4j.api.PeerGoneException} once the messages the peer
 * completed are taken and the peer has closed or died (checked every 10 ms while waiting); a send reports it
 * at once when the peer closed, or when the ring is full and the peer died. The message says which: "closed
 * its end" or "died without closing". A peer counts as gone only once it has been there in this session: an
 * end that opened first waits for its partner.
 *
 * <p><b>Ownership.</b> The caller owns the channel and must close it. With {@code unlink=true}
 * ({@link OpenOptions#unlinkOnClose(boolean)}) the region's name goes with this end's close already.
 */
@SuppressWarnings("exports") // the skeleton is internal; clients only call Channel's methods and the ones here
public final class ShmChannel extends DuplexChannel<RingProducer, RingConsumer> implements NamedObject {
    private final SharedMemory region;
    private final SideLease lease;
    private final Role side;
    private final String bare;

    private ShmChannel(SharedMemory region, SideLease lease, RingProducer out, RingConsumer in, String bare) {
        super(out, in);
        this.region = region;
        this.lease = lease;
        this.side = lease.side();
        this.bare = bare;
    }

    /** Bytes of a channel region for a ring capacity. */
    static long regionBytes(long capacity) {
        return 2 * RingLayout.ringBytes(capacity);
    }

    /** The lease file of channel {@code name}: {@code .NAME.lease} beside the region. */
    static Path leaseFile(String name) throws IpcException {
        return RegionFiles.directory().resolve("." + IpcNames.validate("shared memory", name) + ".lease");
    }

    /**
     * Takes a side of the channel {@code name}, then creates or opens its region. A new channel gets the
     * capacity and maximum message of {@code config} for each direction (the variant is always
     * single-producer); an existing one keeps its own.
     *
     * @throws LimitReachedException if the requested side (for AUTO: both) is held by a live process
     * @throws CorruptedStateException if the file is not a valid channel (names the file and field)
     * @throws org.ipc4j.api.ObjectExistsException / {@link org.ipc4j.api.NoSuchObjectException} by the open mode
     * @throws InterruptedIOException if interrupted while another opener or closer held the lease
     */
    public static ShmChannel open(String name, Role role, ShmRingConfig config, OpenOptions options)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
        long capacity = config.capacity();
        int maxMessage = config.checkedMaxMessage();
        String bare = IpcNames.validate("shared memory", name);
        SideLease lease = SideLease.take(leaseFile(bare), role, options.permissions(), "shm channel " + bare);
        SharedMemory region = null;
        try {
            // Only now the region: a session that ended while we waited for the lease has removed it.
            region = options.mayCreate()
                    ? SharedMemory.open(name, regionBytes(capacity), 0, options, (store, file) -> {
                        RingMemory.format(store, 0, capacity, maxMessage, RingLayout.VARIANT_SPSC,
                                RingLayout.KIND_CHANNEL_A_TO_B);
                        RingMemory.format(store, RingLayout.ringBytes(capacity), capacity, maxMessage,
                                RingLayout.VARIANT_SPSC, RingLayout.KIND_CHANNEL_B_TO_A);
                    })
                    : SharedMemory.open(name, options);
            Path file = region.path();
            if (config.prefault()) {
                region.prefault();
            }
            RingMemory aToB = RingMemory.attach(region.store(), 0, file, RingLayout.KIND_CHANNEL_A_TO_B,
                    RingLayout.VARIANT_SPSC);
            RingMemory bToA = RingMemory.attach(region.store(), RingLayout.ringBytes(aToB.capacity()), file,
                    RingLayout.KIND_CHANNEL_B_TO_A, RingLayout.VARIANT_SPSC);
            boolean a = lease.side() == Role.A;
            RingMemory outRing = a ? aToB : bToA;
            RingMemory inRing = a ? bToA : aToB;
            RingWriter writer = new RingWriter(outRing);
            RingReader reader = new RingReader(inRing);
            if (!writer.attach()) {
                throw heldByOther(file, lease.side(), RingSlots.producerHolders(outRing));
            }
            if (!reader.attach()) {
                writer.detach();
                throw heldByOther(file, lease.side(), RingSlots.consumerHolder(inRing));
            }
            String what = "shm channel " + bare + " (side " + lease.side() + ")";
            ChannelPeers peers = new ChannelPeers(outRing, inRing, lease.side().opposite(), lease.partnerPresentAtOpen());
            RingProducer out = new RingProducer(region, writer, config, peers, what, false);
            RingConsumer in = new RingConsumer(region, reader, config, peers, what, false);
            return new ShmChannel(region, lease, out, in, bare);
        } catch (IpcException | RuntimeException e) {
            if (region != null) {
                region.abandon(); // keep the name: the file may be another process's
            }
            // nothing of ours to remove, but an unused lease file goes
            lease.close(() -> { });
            throw e;
        }
    }

    private static LimitReachedException heldByOther(Path file, Role side, String holder) {
        return new LimitReachedException("shm channel " + file + ": side " + side + " is held by a process that"
                + " did not take it through the lease (" + holder + ")", "sides", 2);
    }

    /** Which side this end took: {@link Role#A} or {@link Role#B}. */
    public Role side() {
        return side;
    }

    /** The sending end, towards the peer: its zero-copy claims. Owned by the channel. */
    public RingProducer sender() {
        return out;
    }

    /** The receiving end, from the peer: its batch reads. Owned by the channel. */
    public RingConsumer receiver() {
        return in;
    }

    /** Bytes of each direction's ring. */
    public int capacity() {
        return out.capacity();
    }

    /** Whether the other side is attached and alive (reads {@code /proc}: not for hot paths). */
    public boolean peerAlive() {
        return in.producerAlive();
    }

    /**
     * The file that backs the channel's region (on Linux under {@code /dev/shm}).
     *
     * @return the region file's path
     */
    public Path path() {
        return region.path();
    }

    @Override
    public String name() {
        return region.name();
    }

    @Override
    public void unlink() throws IpcException {
        region.unlink();
    }

    /**
     * Unmaps the region and lets the side go; if the other side is free too (closed, or its process died),
     * the session ends: the region and the lease file are removed.
     */
    @Override
    protected void closeResources() throws IpcException {
        try {
            region.close();
        } finally {
            lease.close(() -> SharedMemory.unlink(bare));
        }
    }

    @Override
    public String toString() {
        return "ShmChannel[" + bare + ", side " + side + ", capacity " + capacity() + (isOpen() ? "" : ", closed")
                + "]";
    }
}
