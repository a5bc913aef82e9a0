package org.ipc4j.pipe.internal;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.ipc4j.api.Capability;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
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
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private Fifos() {
    }

    /** Whether FIFOs work here, probing libc once. */
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
        try {
            LinuxLibc.libc();
        } catch (Throwable t) {
            return new Capability(scheme, mechanism, artifact, false, "libc could not be loaded: " + t);
        }
        return new Capability(scheme, mechanism, artifact, true, p == Platform.LINUX
                ? "mkfifo(3) via JNA" : "mkfifo(3) via JNA (macOS: not tested in CI)");
    }

    static void requireSupported() throws UnsupportedPlatformException {
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
        if (LinuxLibc.libc().mkfifo(p, permissions) != 0) {
            int errno = Native.getLastError();
            if (errno == Errno.EEXIST) {
                if (exclusive) {
                    throw new ObjectExistsException(Errno.message("mkfifo", p, errno, "the path is already taken ("
                            + describeType(path) + ")"));
                }
                requireFifo(path);
                return false;
            }
            throw error("mkfifo", path, errno);
        }
        // the umask may have removed bits we were asked for; it can never add any, so widening back to the
        // requested mode never exposes the FIFO beyond what the caller chose
        try {
            int mode = mode(path) & 0777;
            if (mode != permissions) {
                Files.setPosixFilePermissions(path, permissions(permissions));
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

    private static Set<PosixFilePermission> permissions(int bits) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    /** The st_mode of the path itself (not following a symbolic link). */
    public static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    public static boolean isFifo(Path path) {
        try {
            return (mode(path) & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Throws a clear error unless {@code path} is an existing FIFO. */
    public static void requireFifo(Path path) throws IpcException {
        if (isFifo(path)) {
            return;
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw missing("open", path, Errno.ENOENT);
        }
        throw new IpcException(path + " exists but is " + describeType(path) + ", not a FIFO");
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
            int type = mode(path) & S_IFMT;
            return switch (type) {
                case S_IFIFO -> "a FIFO";
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** Closes a descriptor if it is one (>= 0). */
    public static void closeFd(int fd) {
        if (fd >= 0) {
            LinuxLibc.libc().close(fd);
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

    static IpcException error(String function, Path path, int errno) {
        String p = path.toString();
        if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
            return missing(function, path, errno);
        }
        if (errno == Errno.EACCES || errno == Errno.EPERM) {
            return new PermissionDeniedException(Errno.message(function, p, errno,
                    "this process may not use this path; a FIFO is created owner-only (0600)"));
        }
        if (errno == Errno.EEXIST) {
            return new ObjectExistsException(Errno.message(function, p, errno, null));
        }
        return Errno.exception(function, p, errno, null);
    }

    private static NoSuchObjectException missing(String function, Path path, int errno) {
        Path parent = path.toAbsolutePath().getParent();
        String detail = parent != null && !Files.isDirectory(parent)
                ? "the directory " + parent + " does not exist" : "no FIFO at this path; create it first";
        return new NoSuchObjectException(Errno.message(function, path.toString(), errno, detail));
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
        int fd = LinuxLibc.libc().open(p, LinuxLibc.O_RDONLY | LinuxLibc.O_NONBLOCK | LinuxLibc.O_CLOEXEC);
        if (fd < 0) {
            throw error("open", path, Native.getLastError());
        }
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
                } else if (FdInputStream.poll(fd, (int) Math.max(1, Math.min(50, deadline.remainingNanos() / 1_000_000)))) {
                    connected = true;
                } else if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting for a writer to open " + path);
                } else if (deadline.hasPassed()) {
                    throw new OpenTimeoutException(path, false);
                }
            }
        } catch (IpcException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new IpcException("waiting for a writer on " + path + " failed: " + e.getMessage(), e);
        } finally {
            pending.abandon(path, false);
            if (!connected) {
                LinuxLibc.libc().close(fd);
            }
        }
        return fd;
    }

    /**
     * Opens the FIFO for writing like {@link #openForWriting} and returns a non-blocking descriptor, which the
     * caller owns. The blocking open only serves the wait for a reader; the descriptor kept is opened with
     * {@code O_NONBLOCK} while that reader is known to be there.
     */
    public static int openWriteFd(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        FileChannel blocking = openForWriting(path, deadline);
        try {
            int fd = LinuxLibc.libc().open(path.toString(), LinuxLibc.O_WRONLY | LinuxLibc.O_NONBLOCK | LinuxLibc.O_CLOEXEC);
            if (fd < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.ENXIO) {
                    throw new org.ipc4j.api.PeerGoneException("fifo " + path + ": the reader left while this side was opening");
                }
                throw error("open", path, errno);
            }
            return fd;
        } finally {
            StreamChannel.closeQuietly(blocking);
        }
    }

    /** Opens the FIFO for writing, waiting until a reader has opened it too. */
    public static FileChannel openForWriting(Path path, Deadline deadline) throws IpcException, InterruptedIOException {
        return rendezvous(path, deadline, true);
    }

    private static FileChannel rendezvous(Path path, Deadline deadline, boolean write)
            throws IpcException, InterruptedIOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(deadline, "deadline");
        requireSupported();
        requireFifo(path);
        LinuxLibc libc = LinuxLibc.libc();
        String p = path.toString();
        int probe = libc.open(p, (write ? LinuxLibc.O_WRONLY : LinuxLibc.O_RDONLY) | LinuxLibc.O_NONBLOCK
                | LinuxLibc.O_CLOEXEC);
        if (probe < 0) {
            int errno = Native.getLastError();
            // ENXIO: a non-blocking writer found no reader yet; that is what we wait for below
            if (!(write && errno == Errno.ENXIO)) {
                throw error("open", path, errno);
            }
        }
        Pending pending = new Pending();
        Thread opener = new Thread(() -> pending.run(path, write), "ipc4j-fifo-open " + p);
        opener.setDaemon(true);
        try {
            opener.start();
            return pending.await(deadline, path, write);
        } finally {
            if (probe >= 0) {
                libc.close(probe);
            }
        }
    }

    /** Hand-over between the caller and the helper thread that sits in the blocking open(2). */
    private static final class Pending {
        private FileChannel result;
        private IOException failure;
        private boolean done;
        private boolean abandoned;

        void run(Path path, boolean write) {
            FileChannel channel = null;
            IOException error = null;
            try {
                channel = FileChannel.open(path, write ? StandardOpenOption.WRITE : StandardOpenOption.READ);
            } catch (IOException e) {
                error = e;
            }
            synchronized (this) {
                if (abandoned) {
                    StreamChannel.closeQuietly(channel);
                } else {
                    result = channel;
                    failure = error;
                }
                done = true;
                notifyAll();
            }
        }

        synchronized boolean isDone() {
            return done;
        }

        synchronized void throwIfFailed(Path path) throws IpcException {
            if (failure != null) {
                throw new IpcException("open(\"" + path + "\") failed: " + failure, failure);
            }
        }

        /** The caller no longer wants the helper's descriptor: close it, or release the helper still in open(2). */
        void abandon(Path path, boolean write) {
            synchronized (this) {
                abandoned = true;
                if (done) {
                    StreamChannel.closeQuietly(result);
                    result = null;
                    return;
                }
            }
            release(path, write);
        }

        FileChannel await(Deadline deadline, Path path, boolean write) throws IpcException, InterruptedIOException {
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
                    if (failure != null) {
                        throw new IpcException("open(\"" + path + "\") failed: " + failure, failure);
                    }
                    if (interrupted) {
                        StreamChannel.closeQuietly(result);
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
            LinuxLibc libc = LinuxLibc.libc();
            long end = System.nanoTime() + 5_000_000_000L;
            while (true) {
                synchronized (this) {
                    if (done) {
                        return;
                    }
                }
                int fd = libc.open(path.toString(), (write ? LinuxLibc.O_RDONLY : LinuxLibc.O_WRONLY)
                        | LinuxLibc.O_NONBLOCK | LinuxLibc.O_CLOEXEC);
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
                    libc.close(fd);
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
