package org.ipc4j.pipe.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.ipc4j.api.Capability;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.posix.ErrnoHints;
import org.ipc4j.api.internal.FileModes;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.NativeSupport;
import org.ipc4j.api.internal.posix.OsConstants;
import org.ipc4j.pipe.OpenTimeoutException;

/**
 * FIFO creation, checks and the rendezvous open with a timeout.
 *
 * <p>Opening a FIFO blocks in the kernel until the other side opens it, and nothing can interrupt that
 * {@code open(2)}. So the blocking open runs on a helper thread while the caller waits with its deadline.
 * If the caller gives up (timeout, interrupt), it releases the helper by briefly opening the other side
 * itself with {@code O_NONBLOCK}, which completes the helper's open at once; the helper then closes what
 * it got. No thread is ever left inside {@code open(2)}.
 *
 * <p>Before that, a non-blocking open is made on the caller's thread: it reports a missing FIFO or a
 * denied permission at once and on the right thread, and it is kept open until the blocking open has
 * finished, so a writer that arrives in between never finds the FIFO without a reader ({@code EPIPE}).
 */
public final class Fifos {
    /**
     * What the errors of {@code mkfifo(3)} and {@code open(2)} on a FIFO's path mean for a user; {@link #errors}
     * adds the advice for a missing path, which depends on the path.
     */
    private static final ErrnoHints PATH_ERRORS = ErrnoHints.none()
            .denied("this process may not use this path; a FIFO is created owner-only (0600)")
            .on(Errno.ELOOP, "the path is a symbolic link, and FIFOs are opened without following links, so that"
                    + " nobody can redirect the open elsewhere");

    private Fifos() {
    }

    /**
     * Whether FIFOs work here: the platform, then whether ipc-api's native calls ({@code LIBC}) can be bound,
     * probed once by {@link NativeSupport}. Never throws.
     */
    public static Capability capability(String scheme) {
        String mechanism = "named pipe (FIFO)";
        String artifact = "org.ipc4j:ipc-pipe";
        Platform p = Platform.current();
        if (p == Platform.WINDOWS) {
            return new Capability(scheme, mechanism, artifact, false, "Windows named pipes (CreateNamedPipe) are not"
                    + " implemented; use ChildProcess pipes or tcp:");
        }
        if (p == Platform.OTHER) {
            return new Capability(scheme, mechanism, artifact, false, "untested operating system "
                    + System.getProperty("os.name"));
        }
        String reason = NativeSupport.unavailableReason(NativeSupport.Binding.LIBC);
        if (reason != null) {
            return new Capability(scheme, mechanism, artifact, false, reason);
        }
        return new Capability(scheme, mechanism, artifact, true, p == Platform.LINUX
                ? "mkfifo(3) via JNA" : "mkfifo(3) via JNA (macOS: not tested in CI)");
    }

    /** Throws the reason FIFOs do not work here, if they do not. */
    public static void requireSupported() throws UnsupportedPlatformException {
        Capability c = capability("fifo");
        if (!c.supported()) {
            throw new UnsupportedPlatformException("fifo: " + c.reason());
        }
    }

    /**
     * Creates a FIFO with exactly {@code permissions}.
     *
     * @param exclusive fail if the path exists; otherwise an existing FIFO is accepted
     * @return true if created, false if an existing FIFO was accepted
     */
    public static boolean create(Path path, int permissions, boolean exclusive) throws IpcException {
        Objects.requireNonNull(path, "path");
        if ((permissions & ~0666) != 0) {
            throw new IllegalArgumentException("FIFO permissions must use only the bits 0666, got 0"
                    + Integer.toOctalString(permissions));
        }
        requireSupported();
        String p = path.toString();
        if (Libc.mkfifo(p, permissions) != 0) {
            int errno = Libc.errno();
            if (errno == Errno.EEXIST) {
                if (exclusive) {
                    throw PATH_ERRORS.exists("the path is already taken (" + describeType(path) + ")")
                            .exception("mkfifo", p, errno);
                }
                requireFifo(path);
                return false;
            }
            throw errors(path).exception("mkfifo", p, errno);
        }
        // the umask may have removed bits we were asked for; it can never add any, so widening back to the
        // requested mode never exposes the FIFO beyond what the caller chose
        try {
            int mode = mode(path) & 0777;
            if (mode != permissions) {
                Files.setPosixFilePermissions(path, FileModes.toPermissions(permissions));
                int after = mode(path) & 0777;
                if (after != permissions) {
                    throw new IpcException(p + ": FIFO created with mode 0" + Integer.toOctalString(after)
                            + " instead of 0" + Integer.toOctalString(permissions));
                }
            }
        } catch (IOException e) {
            throw new IpcException(p + ": could not check the mode of the new FIFO: " + e, e);
        }
        return true;
    }

    /** The st_mode of the path itself (not following a symbolic link). */
    public static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    public static boolean isFifo(Path path) {
        try {
            return Fd.isFifoMode(mode(path));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Throws a clear error unless {@code path} is an existing FIFO. */
    public static void requireFifo(Path path) throws IpcException {
        if (isFifo(path)) {
            int uid;
            try {
                uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                throw new IpcException(path + ": could not read the owner of the FIFO: " + e, e);
            }
            requireOwned(uid, path);
            return;
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw errors(path).exception("open", path.toString(), Errno.ENOENT);
        }
        throw new IpcException(path + " exists but is " + describeType(path) + ", not a FIFO");
    }

    /**
     * Refuses a lease file that this user does not control: a symbolic link (the lease would lock, and the end of
     * a session delete, whatever it points to) or a file of another user (who could hold its locks and keep every
     * side taken). A missing file is fine: the opener creates it.
     */
    public static void requireOwnLeaseFile(Path path) throws IpcException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IpcException(path + ": could not check the lease file: " + e, e);
        }
        if (!a.isRegularFile()) {
            throw new IpcException(path + " is " + describeType(path) + ", not a lease file; refusing it (a lease file"
                    + " is a regular file of this user, never reached through a link). Remove it or use another path");
        }
        int uid;
        try {
            uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IpcException(path + ": could not read the owner of the lease file: " + e, e);
        }
        int euid = Libc.geteuid();
        if (uid != euid) {
            throw new PermissionDeniedException(path + " is a lease file owned by uid " + uid + ", not by this process's"
                    + " uid " + euid + "; refusing it, since its owner could hold both sides. Remove it or use another path");
        }
    }

    /**
     * Refuses a FIFO owned by another user: whoever owns it can change its mode, open it and read or inject
     * messages (in /tmp anyone can create the path first). Sharing a FIFO between users is therefore refused.
     */
    static void requireOwned(int uid, Path path) throws PermissionDeniedException {
        int euid = Libc.geteuid();
        if (uid != euid) {
            throw new PermissionDeniedException(path + " is a FIFO owned by uid " + uid + ", not by this process's uid "
                    + euid + "; refusing it, since its owner could read or inject messages. Remove it or use"
                    + " another path");
        }
    }

    /**
     * Opens {@code path} with {@code O_NOFOLLOW | O_CLOEXEC} added to {@code flags} and checks what the descriptor
     * really is ({@link #checkOpened}), so that nothing swapped in after an earlier path check is ever used.
     *
     * @return the descriptor, owned by the caller; or -1 if {@code allowNoReader} and a non-blocking writer found
     *         no reader ({@code ENXIO})
     */
    static int openChecked(Path path, int flags, boolean allowNoReader) throws IpcException {
        String p = path.toString();
        int fd = Libc.open(p, flags | OsConstants.O_NOFOLLOW | OsConstants.O_CLOEXEC);
        if (fd < 0) {
            int errno = Libc.errno();
            if (allowNoReader && errno == Errno.ENXIO) {
                return -1;
            }
            throw errors(path).exception("open", p, errno);
        }
        try {
            checkOpened(fd, path);
        } catch (IpcException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return fd;
    }

    /**
     * {@link #PATH_ERRORS} with the advice for a missing path ({@code ENOENT}, or {@code ENOTDIR} for a directory
     * of the path that is not one): its directory is missing, or the FIFO is. Built when a call failed.
     */
    static ErrnoHints errors(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        String missing = parent != null && !Files.isDirectory(parent)
                ? "the directory " + parent + " does not exist" : "no FIFO at this path; create it first";
        return PATH_ERRORS.missing(missing).on(Errno.ENOTDIR, missing);
    }

    /**
     * Checks that an open descriptor is a FIFO owned by this process's user. The attributes are those of the
     * descriptor itself, read through {@code /proc/self/fd/N} ({@code /dev/fd/N} on macOS), which the kernel
     * resolves to the open file, not to whatever the path names now: fstat(2) without a platform struct layout.
     */
    public static void checkOpened(int fd, Path path) throws IpcException {
        Path self = Fd.path(fd);
        java.util.Map<String, Object> a;
        try {
            a = Files.readAttributes(self, "unix:mode,uid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IpcException(path + ": could not check what was opened (" + self + "): " + e, e);
        }
        int mode = (Integer) a.get("mode");
        if (!Fd.isFifoMode(mode)) {
            throw new IpcException(path + " was opened but is not a FIFO (mode 0" + Integer.toOctalString(mode)
                    + "); it was replaced after it was checked");
        }
        requireOwned((Integer) a.get("uid"), path);
    }

    static String describeType(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile()) {
                return "a regular file";
            }
            if (a.isDirectory()) {
                return "a directory";
            }
            if (a.isSymbolicLink()) {
                return "a symbolic link";
            }
            int mode = mode(path);
            if (Fd.isFifoMode(mode)) {
                return "a FIFO";
            }
            return switch (Fd.type(mode)) {
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** Removes a FIFO; a missing path is fine, anything that is not a FIFO is refused. */
    public static void unlink(Path path) throws IpcException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isFifo(path)) {
            throw new IpcException("refusing to unlink " + path + ": it is " + describeType(path) + ", not a FIFO");
        }
        try {
            Files.deleteIfExists(path);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PermissionDeniedException("unlink(\"" + path + "\") failed: " + e.getMessage());
        } catch (IOException e) {
            throw new IpcException("unlink(\"" + path + "\") failed: " + e, e);
        }
    }

    // ------------------------------------------------------------------ rendezvous open

    /**
     * Opens the FIFO for reading, waiting until a writer has opened it too (or has already come, written and
     * gone: its data is kept and then the stream ends).
     *
     * <p>The descriptor kept is the non-blocking one opened first, so nothing a writer does in between can be
     * missed. The wait for the writer runs two ways at once: a helper thread sits in a blocking open (which
     * returns when a writer opens) and this thread polls the descriptor (which sees data, or a writer that
     * already left).
     */
    public static InputStream openForReading(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        return new FdInputStream(openReadFd(path, deadline), "fifo " + path);
    }

    /** As {@link #openForReading} but returns the non-blocking descriptor, which the caller owns. */
    public static int openReadFd(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(deadline, "deadline");
        requireSupported();
        requireFifo(path);
        String p = path.toString();
        int fd = openChecked(path, OsConstants.O_RDONLY | OsConstants.O_NONBLOCK, false);
        Pending pending = new Pending();
        Thread opener = new Thread(() -> pending.run(path, false), "ipc4j-fifo-open " + p);
        opener.setDaemon(true);
        boolean connected = false;
        try {
            opener.start();
            while (!connected) {
                if (pending.isDone()) {
                    pending.throwIfFailed(path);
                    connected = true;
                } else if (Fd.awaitSlice(fd, OsConstants.POLLIN, deadline) != 0) {
                    connected = true;
                } else if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting for a writer to open " + path);
                } else if (deadline.hasPassed()) {
                    throw new OpenTimeoutException(path, false);
                }
            }
        } finally {
            pending.abandon(path, false);
            if (!connected) {
                Fd.close(fd);
            }
        }
        return fd;
    }

    /**
     * Opens the FIFO for writing, waiting until a reader has opened it too, and returns a non-blocking
     * descriptor, which the caller owns. If a reader is there already the non-blocking open succeeds at once;
     * otherwise a blocking open on a helper thread serves only the wait for a reader, and the descriptor kept
     * is opened with {@code O_NONBLOCK} (and checked) once that reader is known to be there.
     */
    public static int openWriteFd(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(deadline, "deadline");
        requireSupported();
        requireFifo(path);
        int flags = OsConstants.O_WRONLY | OsConstants.O_NONBLOCK;
        int fd = openChecked(path, flags, true);
        if (fd >= 0) {
            return fd;
        }
        Pending pending = new Pending();
        Thread opener = new Thread(() -> pending.run(path, true), "ipc4j-fifo-open " + path);
        opener.setDaemon(true);
        opener.start();
        int blocking = pending.await(deadline, path, true);
        try {
            fd = openChecked(path, flags, true);
            if (fd < 0) {
                throw new org.ipc4j.api.PeerGoneException("fifo " + path + ": the reader left while this side was opening");
            }
            return fd;
        } finally {
            Fd.close(blocking);
        }
    }

    /** Opens the FIFO for writing as a raw stream, waiting until a reader has opened it too. */
    public static OutputStream openForWriting(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        return new FdOutputStream(openWriteFd(path, deadline), "fifo " + path);
    }

    /** Hand-over between the caller and the helper thread that sits in the blocking open(2). */
    private static final class Pending {
        private int result = -1;
        private int failure;
        private boolean done;
        private boolean abandoned;

        void run(Path path, boolean write) {
            // blocking: returns once the other side opens; O_NOFOLLOW as everywhere, the result is closed unused
            // or checked by the caller
            int fd = Libc.open(path.toString(), (write ? OsConstants.O_WRONLY : OsConstants.O_RDONLY)
                    | OsConstants.O_NOFOLLOW | OsConstants.O_CLOEXEC);
            int errno = fd < 0 ? Libc.errno() : 0;
            synchronized (this) {
                if (abandoned) {
                    Fd.close(fd);
                } else {
                    result = fd;
                    failure = errno;
                }
                done = true;
                notifyAll();
            }
        }

        synchronized boolean isDone() {
            return done;
        }

        synchronized void throwIfFailed(Path path) throws IpcException {
            if (failure != 0) {
                throw errors(path).exception("open", path.toString(), failure);
            }
        }

        /** The caller no longer wants the helper's descriptor: close it, or release the helper still in open(2). */
        void abandon(Path path, boolean write) {
            synchronized (this) {
                abandoned = true;
                if (done) {
                    result = Fd.close(result);
                    return;
                }
            }
            release(path, write);
        }

        int await(Deadline deadline, Path path, boolean write) throws IpcException, InterruptedIOException {
            boolean interrupted = false;
            synchronized (this) {
                try {
                    while (!done) {
                        long left = deadline.remainingNanos();
                        if (left <= 0) {
                            break;
                        }
                        long ms = Math.max(1, Math.min(left / 1_000_000, 60_000));
                        wait(ms);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (done) {
                    if (failure != 0) {
                        throw errors(path).exception("open", path.toString(), failure);
                    }
                    if (interrupted) {
                        result = Fd.close(result);
                    } else {
                        return result;
                    }
                } else {
                    abandoned = true;
                }
            }
            release(path, write);
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the other side to open " + path);
            }
            throw new OpenTimeoutException(path, write);
        }

        /** Completes the helper's open(2) by opening the other side for an instant. */
        private void release(Path path, boolean write) {
            long end = System.nanoTime() + 5_000_000_000L;
            while (true) {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                }
                int fd = Libc.open(path.toString(), (write ? OsConstants.O_RDONLY : OsConstants.O_WRONLY)
                        | OsConstants.O_NONBLOCK | OsConstants.O_NOFOLLOW | OsConstants.O_CLOEXEC);
                if (fd >= 0) {
                    synchronized (this) {
                        try {
                            while (!done && System.nanoTime() < end) {
                                wait(10);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    Libc.close(fd);
                    return;
                }
                // a writer's O_NONBLOCK open fails with ENXIO until the helper's reader is registered: retry briefly
                if (System.nanoTime() > end) {
                    return;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
