package org.ipc4j.api.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Role;

/**
 * One side of a two-party channel, held from open to close through an operating-system lock on one byte of
 * a small lease file beside the channel's objects. The kernel drops the lock when the holding process
 * dies, whatever its PID namespace, so "held" always means "held by a live process".
 *
 * <p>Layout of the lease file: byte 0 is a gate that serialises taking, probing and ending a session;
 * byte 1 is side A, byte 2 side B. {@link #take} takes the gate, then the wanted side (for
 * {@link Role#AUTO}: A, else B), then drops the gate. {@link #close()} takes the gate, drops the side and,
 * if the other side is not held either, ends the session: it runs the caller's clean-up (removing the
 * channel's names) and deletes the lease file while it still holds the gate, so that the next pair of
 * openers starts fresh. A side whose holder died is free again; the channel's objects stay, so a
 * restarted process re-attaches to a live partner.
 *
 * <p>POSIX record locks belong to a process and are all dropped when the process closes any descriptor
 * of the file. So this class keeps one {@link FileChannel} per lease file per JVM, shared by every lease
 * on it, and nothing else may open a lease file. Threads of one JVM are serialised by a Java lock before
 * the file's gate. Channel operations run with the caller's interrupt status cleared (an interrupted
 * thread would otherwise close the shared channel and drop every lock on it) and restored afterwards.
 * Pure Java: usable by every transport, with or without JNA.
 */
public final class SideLease implements AutoCloseable {
    private static final long GATE = 0;
    private static final long GATE_WAIT_NANOS = 10_000_000_000L;
    private static final Map<Path, LeaseFile> FILES = new HashMap<>();

    private final LeaseFile file;
    private final Role side;
    private final boolean partnerPresent;
    private FileLock lock;

    private SideLease(LeaseFile file, Role side, FileLock lock, boolean partnerPresent) {
        this.file = file;
        this.side = side;
        this.lock = lock;
        this.partnerPresent = partnerPresent;
    }

    /** What to do when a session ends: remove the channel's names. Runs under the gate. */
    @FunctionalInterface
    public interface SessionEnd {
        void run() throws IpcException;
    }

    /**
     * Takes a side of the lease file {@code path}, creating it with {@code permissions} if needed.
     *
     * @param wanted {@link Role#A}, {@link Role#B}, or {@link Role#AUTO} for the first free one (A first)
     * @param what the channel, for messages
     * @throws LimitReachedException if the wanted side (for AUTO: both) is held by a live endpoint
     * @throws IpcException if the file cannot be created or locked
     * @throws InterruptedIOException if interrupted while another opener held the gate
     */
    public static SideLease take(Path path, Role wanted, int permissions, String what)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(wanted, "wanted");
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                LeaseFile file = LeaseFile.acquire(path.toAbsolutePath().normalize(), permissions, what);
                boolean done = false;
                try {
                    file.enterGate(what);
                    try {
                        if (!file.stillLinked()) {
                            file.stale = true;
                            continue; // a session ended and deleted the file while we waited: open the new one
                        }
                        SideLease lease = file.takeSide(wanted, what);
                        done = true;
                        return lease;
                    } finally {
                        file.leaveGate();
                    }
                } finally {
                    if (!done) {
                        file.release();
                    }
                    if (attempt > 100) {
                        throw new IpcException(what + ": the lease file " + path + " keeps being replaced");
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The side this lease holds: {@link Role#A} or {@link Role#B}. */
    public Role side() {
        return side;
    }

    /** Whether the other side was held by a live endpoint when this side was taken. */
    public boolean partnerPresentAtOpen() {
        return partnerPresent;
    }

    /**
     * Whether the other side is held right now by a live endpoint (of any process, this one included).
     *
     * @throws IpcException if the lease file cannot be locked
     */
    public boolean partnerHeld() throws IpcException {
        boolean interrupted = Thread.interrupted();
        try {
            String what = "lease " + file.path;
            file.enterGate(what);
            try {
                return file.held(side.opposite(), what);
            } finally {
                file.leaveGate();
            }
        } catch (InterruptedIOException e) {
            interrupted = true;
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Releases the side; never ends the session. Idempotent. */
    @Override
    public void close() throws IpcException {
        close(null);
    }

    /**
     * Releases the side and, if the other side is free too, ends the session: runs {@code end} and deletes
     * the lease file, all under the gate. Idempotent.
     *
     * @return whether this call ended the session
     */
    public boolean close(SessionEnd end) throws IpcException {
        synchronized (this) {
            if (lock == null) {
                return false;
            }
        }
        boolean interrupted = Thread.interrupted();
        String what = "lease " + file.path;
        try {
            boolean gate = true;
            try {
                file.enterGate(what);
            } catch (InterruptedIOException | IpcException e) {
                gate = false; // cannot end the session safely: just let the side go
            }
            try {
                synchronized (this) {
                    if (lock == null) {
                        return false;
                    }
                    file.unlock(side, lock);
                    lock = null;
                }
                if (!gate || end == null || file.held(side.opposite(), what)) {
                    return false;
                }
                end.run();
                file.delete();
                return true;
            } finally {
                if (gate) {
                    file.leaveGate();
                }
            }
        } finally {
            file.release();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "SideLease[" + file.path + ", side " + side + (lock == null ? ", released" : "") + "]";
    }

    /** One lease file as this JVM sees it: one channel, the sides this JVM holds, a Java gate. */
    private static final class LeaseFile {
        final Path path;
        final FileChannel channel;
        final Object key;
        final java.util.concurrent.locks.ReentrantLock javaGate = new java.util.concurrent.locks.ReentrantLock();
        final EnumSet<Role> heldHere = EnumSet.noneOf(Role.class);
        FileLock gateLock;
        int users;
        boolean stale;

        private LeaseFile(Path path, FileChannel channel, Object key) {
            this.path = path;
            this.channel = channel;
            this.key = key;
        }

        static LeaseFile acquire(Path path, int permissions, String what) throws IpcException {
            synchronized (FILES) {
                LeaseFile f = FILES.get(path);
                if (f != null && !f.stale) {
                    f.users++;
                    return f;
                }
                f = open(path, permissions, what);
                FILES.put(path, f);
                f.users++;
                return f;
            }
        }

        private static LeaseFile open(Path path, int permissions, String what) throws IpcException {
            for (int attempt = 0; attempt < 100; attempt++) {
                try {
                    Object before = keyOf(path);
                    FileChannel channel;
                    if (before == null) {
                        try {
                            channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW,
                                    StandardOpenOption.READ, StandardOpenOption.WRITE),
                                    FileModes.attribute(permissions));
                            // the umask may have narrowed the mode: set it as asked
                            Files.setPosixFilePermissions(path, FileModes.toPermissions(permissions));
                        } catch (FileAlreadyExistsException e) {
                            continue;
                        }
                    } else {
                        // never through a link planted under the name (O_NOFOLLOW)
                        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS);
                    }
                    Object after = keyOf(path);
                    if (after != null && (before == null || before.equals(after))) {
                        try {
                            requireOwnFile(path, what);
                        } catch (IpcException e) {
                            channel.close();
                            throw e;
                        }
                        return new LeaseFile(path, channel, after);
                    }
                    channel.close(); // replaced while opening: this JVM holds no lock on it yet
                } catch (IpcException e) {
                    throw e;
                } catch (java.nio.file.AccessDeniedException e) {
                    throw new PermissionDeniedException(what + ": may not open the lease file " + path
                            + " (it belongs to another user, or its mode forbids this user)");
                } catch (NoSuchFileException e) {
                    throw new org.ipc4j.api.NoSuchObjectException(what + ": the directory of " + path + " does not exist");
                } catch (IOException e) {
                    if (Files.isSymbolicLink(path)) {
                        throw new PermissionDeniedException(what + ": the lease file " + path
                                + " is a symbolic link; refusing to follow it");
                    }
                    throw new IpcException(what + ": cannot open the lease file " + path + ": " + e, e);
                }
            }
            throw new IpcException(what + ": the lease file " + path + " keeps being replaced");
        }

        /**
         * Refuses a lease file that another user owns: whoever can plant it could hold a side forever or watch
         * who opens. The process's own uid is that of /proc/self where there is one.
         */
        private static void requireOwnFile(Path path, String what) throws IpcException {
            Path self = Path.of("/proc/self");
            if (!Files.exists(self)) {
                return;
            }
            Object mine;
            Object owner;
            try {
                mine = Files.getAttribute(self, "unix:uid");
                owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException | IOException e) {
                return; // no unix attribute view here: the file mode (0600 by default) is the only guard
            }
            if (!mine.equals(owner)) {
                throw new PermissionDeniedException(what + ": the lease file " + path + " belongs to uid " + owner
                        + ", not to this process's uid " + mine + "; refusing to share a channel through it");
            }
        }

        private static Object keyOf(Path path) throws IOException {
            try {
                return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        boolean stillLinked() {
            try {
                return key.equals(keyOf(path));
            } catch (IOException e) {
                return false;
            }
        }

        void enterGate(String what) throws IpcException, InterruptedIOException {
            javaGate.lock();
            boolean entered = false;
            try {
                long start = System.nanoTime();
                while (true) {
                    FileLock l = channel.tryLock(GATE, 1, false);
                    if (l != null) {
                        gateLock = l;
                        entered = true;
                        return;
                    }
                    if (System.nanoTime() - start > GATE_WAIT_NANOS) {
                        throw new IpcException(what + ": the gate of " + path + " stayed locked for 10 s");
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException(what + ": interrupted while waiting for " + path);
                    }
                }
            } catch (IOException e) {
                throw new IpcException(what + ": cannot lock " + path + ": " + e, e);
            } finally {
                if (!entered) {
                    javaGate.unlock();
                }
            }
        }

        void leaveGate() {
            try {
                if (gateLock != null && gateLock.isValid()) {
                    gateLock.release();
                }
            } catch (IOException ignored) {
                // the lock goes with the channel at the latest
            } finally {
                gateLock = null;
                javaGate.unlock();
            }
        }

        SideLease takeSide(Role wanted, String what) throws IpcException {
            for (Role side : wanted == Role.AUTO ? new Role[] {Role.A, Role.B} : new Role[] {wanted}) {
                FileLock l = tryLock(side, what);
                if (l != null) {
                    heldHere.add(side);
                    return new SideLease(this, side, l, held(side.opposite(), what));
                }
            }
            throw new LimitReachedException(what + ": " + (wanted == Role.AUTO ? "both sides are" : "side " + wanted
                    + " is") + " held by live endpoints (lease " + path + ")", "sides", 2);
        }

        private FileLock tryLock(Role side, String what) throws IpcException {
            if (heldHere.contains(side)) {
                return null;
            }
            try {
                return channel.tryLock(side == Role.A ? 1 : 2, 1, false);
            } catch (OverlappingFileLockException e) {
                return null;
            } catch (IOException e) {
                throw new IpcException(what + ": cannot lock " + path + ": " + e, e);
            }
        }

        /** Whether {@code side} is held by a live endpoint. Call under the gate. */
        boolean held(Role side, String what) throws IpcException {
            FileLock probe = tryLock(side, what);
            if (probe == null) {
                return true;
            }
            try {
                probe.release();
            } catch (IOException e) {
                throw new IpcException(what + ": cannot unlock " + path + ": " + e, e);
            }
            return false;
        }

        void unlock(Role side, FileLock lock) {
            heldHere.remove(side);
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel drops it anyway
            }
        }

        /** Deletes the lease file if the name still holds this file (not one put there by hand since). */
        void delete() {
            try {
                if (stillLinked()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // a file that cannot be deleted is reused by the next opener: harmless
            }
            stale = true;
        }

        void release() {
            synchronized (FILES) {
                if (--users > 0) {
                    return;
                }
                if (FILES.get(path) == this) {
                    FILES.remove(path);
                }
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing is held on it any more
            }
        }
    }
}
