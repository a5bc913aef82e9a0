package org.ipc4j.api.internal.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.internal.Errno;

/**
 * Liveness that the kernel vouches for: one endpoint's write locks on single bytes of a file, as Linux
 * open-file-description locks ({@code fcntl F_OFD_SETLK}, {@code F_OFD_GETLK}; Linux 3.15 and later). The
 * kernel drops an endpoint's locks when its process dies, however it dies and whatever its PID namespace,
 * so "the byte is locked" means "a live endpoint holds it", and "the byte can be locked" means "its holder
 * is gone". A pid means nothing across PID namespaces; a lock on a shared inode means the same everywhere.
 *
 * <p><b>Why open-file-description locks, not classic POSIX record locks</b> ({@code F_SETLK}, what
 * {@link java.nio.channels.FileChannel#lock} places, and {@link org.ipc4j.api.internal.SideLease}'s pure-Java
 * choice). A classic lock belongs to the process: two endpoints of one process do not conflict (so a
 * process cannot ask whether its own other endpoint holds a byte), and every one of its locks on the file
 * vanishes when the process closes <em>any</em> descriptor of that file, such as a second endpoint opening
 * and closing the same object. An OFD lock belongs to one {@code open(2)}: locks of two endpoints conflict
 * even inside one process, and closing some other descriptor of the file drops nothing. That is the
 * meaning "this endpoint is alive" needs.
 *
 * <p>Each instance opens the file twice: one descriptor places this endpoint's locks, the other only asks
 * ({@code F_OFD_GETLK}), so that a question about a byte this very endpoint holds is answered "held" too.
 * A question costs one {@code fcntl}; it allocates nothing but the JNA call. Thread-safe; {@link #close()}
 * drops every lock of this instance and is idempotent. Call only where {@link #unavailableReason()} is null.
 */
public final class ByteLocks implements AutoCloseable {
    private static final int OPEN_FLAGS = OsConstants.O_RDWR | OsConstants.O_NOFOLLOW | OsConstants.O_CLOEXEC;

    private final Path file;
    private final String what;
    private int holdFd;
    private int probeFd;
    private final BitSet heldHere = new BitSet();

    private ByteLocks(Path file, String what, int holdFd, int probeFd) {
        this.file = file;
        this.what = what;
        this.holdFd = holdFd;
        this.probeFd = probeFd;
    }

    /** Why byte locks cannot be used here, or {@code null} if they can. Never throws. */
    public static String unavailableReason() {
        if (Platform.current() != Platform.LINUX) {
            return "open-file-description locks (fcntl F_OFD_SETLK) are Linux only";
        }
        return NativeSupport.unavailableReason(NativeSupport.Binding.LIBC);
    }

    /**
     * Opens {@code file} (an existing regular file; never through a symbolic link) for byte locks.
     *
     * @param expectedKey the {@link BasicFileAttributes#fileKey()} of the file the caller mapped or opened, or
     *     {@code null}: if the name now holds another file, this fails rather than lock the wrong inode
     * @param what the object, for messages
     * @throws UnsupportedPlatformException if OFD locks are missing (not Linux, no JNA, a kernel before 3.15)
     * @throws NoSuchObjectException if the file is gone, or was replaced since the caller opened it
     * @throws PermissionDeniedException if this user may not open it for writing, or it is a symbolic link
     * @throws IpcException for another failure of {@code open} or {@code fcntl} (names the call and errno)
     */
    public static ByteLocks open(Path file, Object expectedKey, String what) throws IpcException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new UnsupportedPlatformException(what + ": liveness locks are unavailable: " + reason);
        }
        int hold = openFd(file, what);
        int probe = -1;
        try {
            probe = openFd(file, what);
            if (expectedKey != null && !expectedKey.equals(keyOf(hold))) {
                throw new NoSuchObjectException(what + ": " + file + " was replaced while it was being opened");
            }
            ByteLocks locks = new ByteLocks(file, what, hold, probe);
            locks.held(0); // EINVAL here: a kernel without OFD locks
            return locks;
        } catch (IpcException | RuntimeException e) {
            Libc.close(hold);
            if (probe >= 0) {
                Libc.close(probe);
            }
            throw e;
        }
    }

    private static int openFd(Path file, String what) throws IpcException {
        int fd = Libc.open(file.toString(), OPEN_FLAGS);
        if (fd >= 0) {
            return fd;
        }
        int errno = Libc.errno();
        switch (errno) {
            case Errno.ENOENT -> throw new NoSuchObjectException(what + ": " + file + " does not exist");
            case Errno.EACCES, Errno.EPERM -> throw new PermissionDeniedException(what + ": may not open " + file
                    + " for writing (its mode or owner forbids this user)");
            case Errno.ELOOP -> throw new PermissionDeniedException(what + ": " + file
                    + " is a symbolic link; refusing to follow it");
            default -> throw NativeErrors.exception("open", file.toString(), errno);
        }
    }

    /** The identity (device, inode) of what {@code fd} has open: through /proc, so a later rename cannot fool it. */
    private static Object keyOf(int fd) throws IpcException {
        try {
            return Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            throw new IpcException("cannot identify descriptor " + fd + " through /proc/self/fd: " + e, e);
        }
    }

    /**
     * Locks byte {@code offset} for this endpoint if no other endpoint (in any process, this one included)
     * holds it. Never waits. Taking a byte this instance holds already returns true.
     *
     * @throws IpcException if the lock call fails for another reason than a conflict, or this is closed
     */
    public synchronized boolean tryHold(long offset) throws IpcException {
        int fd = openHoldFd();
        if (heldHere.get(index(offset))) {
            return true;
        }
        if (fcntl(fd, OsConstants.F_OFD_SETLK, OsConstants.F_WRLCK, offset) == 0) {
            heldHere.set(index(offset));
            return true;
        }
        int errno = Libc.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EACCES) {
            return false;
        }
        throw NativeErrors.exception("fcntl(F_OFD_SETLK)", what + " byte " + offset + " of " + file, errno);
    }

    /** Gives byte {@code offset} up; nothing if this instance does not hold it, or is closed. */
    public synchronized void release(long offset) {
        if (holdFd < 0 || !heldHere.get(index(offset))) {
            return;
        }
        heldHere.clear(index(offset));
        fcntl(holdFd, OsConstants.F_OFD_SETLK, OsConstants.F_UNLCK, offset);
    }

    /** Whether this instance holds byte {@code offset}. */
    public synchronized boolean holds(long offset) {
        return holdFd >= 0 && heldHere.get(index(offset));
    }

    /**
     * Whether a live endpoint, of any process (this one and this instance included), holds byte
     * {@code offset}: one {@code F_OFD_GETLK}. Once this instance is closed the answer is "held": it can no
     * longer tell, and "held" only makes a caller wait, where a wrong "free" would let it take a live
     * endpoint's place.
     *
     * @throws IpcException if the call fails (a kernel without OFD locks: {@link UnsupportedPlatformException})
     */
    public synchronized boolean held(long offset) throws IpcException {
        if (probeFd < 0) {
            return true;
        }
        if (fcntl(probeFd, OsConstants.F_OFD_GETLK, OsConstants.F_WRLCK, offset) != 0) {
            int errno = Libc.errno();
            if (errno == Errno.EINVAL) {
                throw new UnsupportedPlatformException(what + ": this kernel has no open-file-description locks"
                        + " (fcntl F_OFD_GETLK failed with EINVAL; Linux 3.15 or later is needed)");
            }
            throw NativeErrors.exception("fcntl(F_OFD_GETLK)", what + " byte " + offset + " of " + file, errno);
        }
        return Scratch.get().memory().getShort(Scratch.STRUCT + Structs.FLOCK_L_TYPE) != OsConstants.F_UNLCK;
    }

    private int openHoldFd() throws IpcException {
        if (holdFd < 0) {
            throw new IpcException(what + ": the liveness locks of " + file + " are closed");
        }
        return holdFd;
    }

    private static int index(long offset) {
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("lock offset " + offset + " is out of range");
        }
        return (int) offset;
    }

    private static int fcntl(int fd, int command, short type, long offset) {
        Scratch scratch = Scratch.get();
        ByteBuffer m = scratch.memory();
        int at = Scratch.STRUCT;
        m.putShort(at + Structs.FLOCK_L_TYPE, type);
        m.putShort(at + Structs.FLOCK_L_WHENCE, (short) 0); // SEEK_SET
        m.putLong(at + Structs.FLOCK_L_START, offset);
        m.putLong(at + Structs.FLOCK_L_LEN, 1);
        m.putInt(at + Structs.FLOCK_L_PID, 0); // must be 0 for OFD locks
        return Libc.fcntl(fd, command, scratch.address(at));
    }

    /** The file locked. */
    public Path file() {
        return file;
    }

    /** Closes both descriptors: the kernel drops every lock of this instance. Idempotent. */
    @Override
    public synchronized void close() {
        if (holdFd >= 0) {
            Libc.close(holdFd);
            Libc.close(probeFd);
            holdFd = -1;
            probeFd = -1;
            heldHere.clear();
        }
    }

    @Override
    public String toString() {
        return "ByteLocks[" + file + (holdFd < 0 ? ", closed" : ", holding " + heldHere) + "]";
    }
}
