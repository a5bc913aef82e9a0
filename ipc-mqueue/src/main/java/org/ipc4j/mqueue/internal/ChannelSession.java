package org.ipc4j.mqueue.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.api.Role;
import org.ipc4j.api.internal.SideLease;

/**
 * The session of a message-queue channel: which side this end holds, and whether the partner is still
 * there. A queue does not know who has it open, so liveness comes from a {@link SideLease} beside the
 * queues: {@code LEASEDIR/NAME.mq-lease}, where {@code LEASEDIR} is {@code /dev/shm} (a memory file system
 * that, like the queues, is empty after a reboot) or, where that is missing, {@code java.io.tmpdir}. The
 * kernel drops a side's lock when its process dies, so "not held" means "closed or died". To tell the two
 * apart, a closing end first creates {@code NAME.mq-closed-a} (or {@code -b}); a taker removes its own
 * side's marker and, if the other side is free, that side's too (it tells of a close before this end came);
 * the end of a session removes both.
 *
 * <p>The partner counts as gone only once it has been there: held when this end opened or at a later probe,
 * or closed since (its marker). So an end that opened first waits for a partner that has not come yet
 * instead of reporting it gone, and a program that uses the queues without taking the lease (a C peer) is
 * never reported gone. Probes lock two bytes of the lease file (a few system calls); they happen at most
 * every {@value #PROBE_MILLIS} ms while a receive waits on an empty queue or a send on a full one, and on a
 * received message only until the partner has been seen. A send that finds room only reads the last
 * probe's verdict.
 */
public final class ChannelSession {
    /** How often a waiting end asks the lease whether the partner is still there, at most. */
    public static final int PROBE_MILLIS = 10;
    private static final long PROBE_NANOS = PROBE_MILLIS * 1_000_000L;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final SideLease lease;
    private final String what;
    private final Path ownMarker;
    private final Path partnerMarker;
    private volatile boolean partnerSeen;
    private volatile boolean partnerGone;
    private volatile long lastProbe = System.nanoTime() - PROBE_NANOS;
    private boolean closed;

    private ChannelSession(SideLease lease, String what, Path ownMarker, Path partnerMarker) {
        this.lease = lease;
        this.what = what;
        this.ownMarker = ownMarker;
        this.partnerMarker = partnerMarker;
        this.partnerSeen = lease.partnerPresentAtOpen();
    }

    /** The directory of lease files: {@code /dev/shm} where it is a writable directory, else {@code java.io.tmpdir}. */
    public static Path directory() {
        Path devShm = Path.of("/dev/shm");
        return Files.isDirectory(devShm) && Files.isWritable(devShm) ? devShm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The lease file of channel {@code bare}. */
    public static Path leaseFile(String bare) {
        return directory().resolve(bare + ".mq-lease");
    }

    private static Path marker(String bare, Role side) {
        return directory().resolve(bare + ".mq-closed-" + (side == Role.A ? "a" : "b"));
    }

    /**
     * Takes side {@code wanted} ({@link Role#AUTO}: the first free one, A first) of channel {@code bare}.
     *
     * @throws LimitReachedException if the side (for AUTO: both) is held by a live endpoint
     */
    public static ChannelSession take(String bare, Role wanted, int permissions) throws IpcException, InterruptedIOException {
        String channel = "mq channel " + bare;
        SideLease lease = SideLease.take(leaseFile(bare), wanted, permissions, channel);
        Role side = lease.side();
        ChannelSession session = new ChannelSession(lease, channel + " (side " + side + ")", marker(bare, side),
                marker(bare, side.opposite()));
        deleteQuietly(session.ownMarker);
        if (!lease.partnerPresentAtOpen()) {
            // A marker of the free side is older than this end: it reports a close this end never saw.
            deleteQuietly(session.partnerMarker);
        }
        return session;
    }

    /**
     * Ends the session of channel {@code bare} if no live endpoint holds either side: runs {@code end}
     * (removing the queues), removes the markers and the lease file, under the lease's gate.
     *
     * @throws IpcException if a live endpoint holds a side (nothing is removed), or removing failed
     */
    public static void endUnused(String bare, int permissions, SideLease.SessionEnd end)
            throws IpcException, InterruptedIOException {
        SideLease lease;
        try {
            lease = SideLease.take(leaseFile(bare), Role.AUTO, permissions, "mq channel " + bare);
        } catch (LimitReachedException e) {
            throw new IpcException("mq channel " + bare + " is in use: both sides are held by live endpoints;"
                    + " close them first", e);
        }
        if (lease.partnerPresentAtOpen()) {
            lease.close();
            throw new IpcException("mq channel " + bare + " is in use: side " + lease.side().opposite()
                    + " is held by a live endpoint; close it first");
        }
        lease.close(withMarkers(end, marker(bare, Role.A), marker(bare, Role.B)));
    }

    /** The side this end holds. */
    public Role side() {
        return lease.side();
    }

    /** Whether the partner held its side when this end took its own. */
    public boolean partnerPresentAtOpen() {
        return lease.partnerPresentAtOpen();
    }

    /**
     * Before a send: throws if the last probe found the partner gone and a new probe (at most every
     * {@value #PROBE_MILLIS} ms) does not find a new one.
     */
    public void beforeSend() throws IpcException {
        if (partnerGone) {
            whileIdle(false);
        }
    }

    /**
     * While waiting (or finding the queue empty or full): probes the lease if the last probe is older than
     * {@value #PROBE_MILLIS} ms, and throws if the partner is known to be gone.
     *
     * @param receiving whether a receive asks (for the message: nothing more will arrive)
     */
    public void whileIdle(boolean receiving) throws IpcException {
        probeIfDue();
        if (partnerGone) {
            throw gone(receiving);
        }
    }

    /**
     * A message arrived. Until the partner has been seen, this probes (at most every {@value #PROBE_MILLIS} ms),
     * so that a partner that answers at once, before any wait lasted a slice, is still seen and its death
     * noticed later; afterwards it costs one read. Never throws: the message is already taken.
     */
    public void messageArrived() {
        if (!partnerSeen) {
            try {
                probeIfDue();
            } catch (IpcException e) {
                // the next wait probes again and reports it
            }
        }
    }

    private void probeIfDue() throws IpcException {
        long now = System.nanoTime();
        if (now - lastProbe < PROBE_NANOS) {
            return;
        }
        lastProbe = now;
        if (lease.partnerHeld()) {
            partnerSeen = true;
            partnerGone = false;
        } else {
            // A partner that closed between two probes left its marker: it was there, and it is gone.
            partnerGone = partnerSeen || Files.exists(partnerMarker);
        }
    }

    private PeerGoneException gone(boolean receiving) {
        Role partner = lease.side().opposite();
        String how = Files.exists(partnerMarker)
                ? "the peer (side " + partner + ") closed its end"
                : "the peer (side " + partner + ") is gone without closing its end (its process died or was killed)";
        return new PeerGoneException(what + ": " + how + (receiving
                ? "; every message it sent was received"
                : "; nothing sent now would be received until a new peer takes side " + partner));
    }

    /**
     * Lets the side go: first records a clean close (for the partner's message), then releases the lease;
     * if the partner's side is free too, the session ends: {@code end} runs (removing the queues), then the
     * markers and the lease file go, all under the lease's gate. Idempotent.
     */
    public void close(SideLease.SessionEnd end) throws IpcException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Files.createFile(ownMarker, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            // left by an earlier holder of this side: it says the same
        } catch (IOException | UnsupportedOperationException e) {
            // only the wording of the partner's PeerGoneException depends on it
        }
        lease.close(withMarkers(end, ownMarker, partnerMarker));
    }

    /** {@code end}, then the removal of both markers, even if {@code end} failed. */
    private static SideLease.SessionEnd withMarkers(SideLease.SessionEnd end, Path marker, Path otherMarker) {
        return () -> {
            try {
                end.run();
            } finally {
                deleteQuietly(marker);
                deleteQuietly(otherMarker);
            }
        };
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // another user's marker in a sticky directory: it only affects a message's wording
        }
    }

    @Override
    public String toString() {
        return "ChannelSession[" + what + "]";
    }
}
