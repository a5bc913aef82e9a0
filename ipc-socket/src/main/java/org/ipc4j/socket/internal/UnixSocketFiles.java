package org.ipc4j.socket.internal;

import org.ipc4j.api.internal.LazyLog;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.Role;
import org.ipc4j.api.internal.FileModes;
import org.ipc4j.api.internal.SideLease;

/**
 * The socket file of a Unix domain listener: created with its final permissions, exclusively, and removed
 * only by whoever can prove it is the file they mean.
 *
 * <ul>
 *   <li><b>Permissions without a window.</b> Java cannot set the umask, and {@code bind(2)} creates the file
 *       with the umask's mode, so a chmod after bind would leave a moment in which anyone may connect. The
 *       socket is bound inside a fresh directory of mode 0700 next to the target (nobody else can reach it),
 *       chmod-ed there, and then published.</li>
 *   <li><b>Exclusive publication.</b> The file is published with {@code link(2)}, which fails if the path
 *       exists: of two listeners racing for one path exactly one gets it, and a live listener's file is never
 *       replaced. (A {@code rename(2)} would silently replace the other's file.)</li>
 *   <li><b>Ownership that the kernel vouches for.</b> A listener owns its path through an OS lock on a
 *       companion file, {@code .NAME.lock} beside the socket file {@code NAME} ({@link #takeOwnership}: side A of
 *       a {@link SideLease}), taken before it publishes and held until its socket file is removed. The kernel
 *       drops the lock when the listener's process dies, in whatever PID namespace. So a socket file is
 *       stale exactly when its path's lock can be taken, and only the one opener holding that lock may remove
 *       it: two openers that find the same stale file cannot both remove one and the other's successor.</li>
 *   <li><b>Stale files.</b> The owner removes a file nothing accepts on (its listener was killed, or it is
 *       the file of a program that takes no lock) with {@link #removeStale(Path, SocketFile)}, given the file
 *       it found refusing connections (inode and change time, as an inode number is reused at once on some
 *       file systems): the file is renamed into a private directory and deleted only if it is still that
 *       inode; a file published meanwhile (by a program outside this protocol) is put back.</li>
 * </ul>
 */
public final class UnixSocketFiles {
    private static final LazyLog LOG = new LazyLog(UnixSocketFiles.class);
    /** sun_path holds 108 bytes including the terminating NUL on Linux. */
    public static final int MAX_PATH_BYTES = 107;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFiles() {
    }

    /** Owner-only, or wider as asked; only read/write bits make sense on a socket. */
    public static Set<PosixFilePermission> permissions(int bits) {
        if ((bits & ~0666) != 0) {
            throw new IllegalArgumentException("socket permissions must use only the bits 0666, got 0"
                    + Integer.toOctalString(bits));
        }
        return FileModes.toPermissions(bits);
    }

    /**
     * Binds {@code server} and publishes its socket file at {@code path} with the given permissions, unless
     * something is at {@code path} already.
     *
     * @return the file key (inode) of the new socket file, to recognise it at close; or {@code null} if the
     *     path is taken (then {@code server} is bound to a name that no longer exists: close it)
     * @throws PermissionDeniedException if the directory does not let this user create the file
     */
    public static Object publish(ServerSocketChannel server, Path path, int permissionBits, int backlog)
            throws IpcException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            throw new UnsupportedPlatformException("unix:" + path + ": a Unix socket listener needs POSIX"
                    + " file permissions to make its socket file owner-only, and this file system has none");
        }
        Path absolute = checkPath(path);
        Set<PosixFilePermission> perms = permissions(permissionBits);
        Path dir = createPrivateDirectory(absolute);
        Path temporary = dir.resolve("s");
        try {
            server.bind(UnixDomainSocketAddress.of(temporary), backlog);
            Files.setPosixFilePermissions(temporary, perms);
            Object key = Files.readAttributes(temporary, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            try {
                Files.createLink(absolute, temporary);
            } catch (FileAlreadyExistsException taken) {
                return null;
            }
            return key;
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException("unix:" + path + ": cannot create the socket file: " + e.getMessage());
        } catch (IOException e) {
            throw new IpcException("unix:" + path + ": bind failed: " + e, e);
        } finally {
            deletePrivate(temporary, dir);
        }
    }

    /**
     * What identifies one socket file for a stale-file check: its inode and the time its inode last changed.
     * The inode alone is not enough: file systems such as ext4 give a freed inode number to the very next
     * file, so a stale file removed by one opener and the socket file the same opener publishes a moment later
     * often share it. Renaming or linking the file changes {@code changed}; compare {@link #inode} then.
     *
     * @param inode the file key
     * @param changed the inode's change time, or {@code null} where the file system does not tell
     */
    public record SocketFile(Object inode, Object changed) {
    }

    /**
     * The socket file at {@code path}, or {@code null} if there is no file.
     *
     * @throws ObjectExistsException if something other than a socket is there (it is never replaced)
     */
    public static SocketFile socketKey(Path path) throws IpcException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(path, "unix:mode,fileKey,ctime", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return posixKey(path);
        } catch (IOException e) {
            throw new IpcException("unix:" + path + ": cannot inspect the existing file: " + e, e);
        }
        if ((((Integer) attributes.get("mode")) & S_IFMT) != S_IFSOCK) {
            throw notASocket(path);
        }
        return new SocketFile(attributes.get("fileKey"), attributes.get("ctime"));
    }

    /** Where the "unix" attribute view is missing: any non-regular, non-directory, non-link file counts as a socket. */
    private static SocketFile posixKey(Path path) throws IpcException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isOther()) {
                throw notASocket(path);
            }
            return new SocketFile(a.fileKey(), null);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IpcException("unix:" + path + ": cannot inspect the existing file: " + e, e);
        }
    }

    private static ObjectExistsException notASocket(Path path) {
        return new ObjectExistsException("unix:" + path + " exists and is not a socket; not replacing it");
    }

    /**
     * Removes the socket file at {@code path} if it is still the file {@code staleKey} that the caller found
     * refusing connections. Safe against other openers doing the same at the same time, see the class comment.
     *
     * @return true if this call removed it; false if the path was gone or held another file (left in place)
     * @throws PermissionDeniedException if the directory does not let this user remove the file
     */
    public static boolean removeStale(Path path, SocketFile staleKey) throws IpcException {
        Path absolute = path.toAbsolutePath();
        return staleKey.equals(socketKey(absolute)) && takeAwayIfStill(absolute, staleKey);
    }

    /**
     * Renames the file at {@code path} into a private directory and deletes it if it is {@code staleKey}; a
     * different file (published since the caller looked) is linked back into place.
     */
    static boolean takeAwayIfStill(Path absolute, SocketFile staleKey) throws IpcException {
        Path dir = createPrivateDirectory(absolute);
        Path moved = dir.resolve("stale");
        try {
            try {
                Files.move(absolute, moved, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException gone) {
                return false;
            }
            Object key = Files.readAttributes(moved, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (staleKey.inode().equals(key)) {
                LOG.get().info("unix:{}: removed a stale socket file (nothing accepted connections on it)", absolute);
                return true;
            }
            // another opener published its file between our look and the rename: give it back
            try {
                Files.createLink(absolute, moved);
            } catch (FileAlreadyExistsException e) {
                LOG.get().warn("unix:{}: a socket file taken away by a stale-file check could not be put back: a third"
                        + " file is there", absolute);
            }
            return false;
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException("unix:" + absolute + ": cannot replace the stale socket file: "
                    + e.getMessage() + " (is it another user's, in a sticky directory such as /tmp?)");
        } catch (IOException e) {
            throw new IpcException("unix:" + absolute + ": cannot remove the stale socket file: " + e, e);
        } finally {
            deletePrivate(moved, dir);
        }
    }

    /** The companion lock file of the socket file {@code socketPath}: {@code .NAME.lock} in the same directory. */
    public static Path ownerLockFile(Path socketPath) {
        Path absolute = socketPath.toAbsolutePath();
        return absolute.resolveSibling("." + absolute.getFileName() + ".lock");
    }

    /**
     * Takes the ownership of the socket path {@code socketPath}: side A of the lease {@link #ownerLockFile}
     * (created owner-only, 0600). While the caller holds it, no other opener that follows this protocol
     * publishes or removes a socket file at the path; end it with {@code lease.close(end)}, which runs
     * {@code end} (removing the socket file) and deletes the lock file under the lease's gate.
     *
     * @return the lease, or {@code null} if a live listener (of any process, any PID namespace) owns the path
     * @throws IpcException if the lock file cannot be created or locked (names the file)
     * @throws java.io.InterruptedIOException if interrupted while another opener held the lock file's gate
     */
    public static SideLease takeOwnership(Path socketPath, String where)
            throws IpcException, java.io.InterruptedIOException {
        try {
            return SideLease.take(ownerLockFile(socketPath), Role.A, 0600, where);
        } catch (LimitReachedException held) {
            return null;
        }
    }

    /** Deletes the socket file if it is still the one this listener published (not a successor's). */
    public static void deleteIfOurs(Path path, Object fileKey) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (fileKey == null || fileKey.equals(a.fileKey())) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.get().warn("unix:{}: could not remove the socket file: {}", path, e.toString());
        }
    }

    /**
     * The absolute path, checked: short enough for {@code sun_path}, in a directory that exists.
     *
     * @throws IllegalArgumentException if too long
     * @throws NoSuchObjectException if the directory does not exist
     */
    public static Path checkPath(Path path) throws NoSuchObjectException {
        Path absolute = checkLength(path);
        Path parent = absolute.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NoSuchObjectException("unix:" + path + ": the directory " + parent + " does not exist");
        }
        return absolute;
    }

    /**
     * The absolute path, if it is short enough for {@code sun_path}.
     *
     * @throws IllegalArgumentException if not
     */
    public static Path checkLength(Path path) {
        Path absolute = path.toAbsolutePath();
        int bytes = absolute.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("unix:" + absolute + ": a Unix socket path may have at most "
                    + MAX_PATH_BYTES + " bytes, this one has " + bytes);
        }
        return absolute;
    }

    private static Path createPrivateDirectory(Path forPath) throws IpcException {
        Path parent = forPath.getParent();
        for (int attempt = 0; attempt < 100; attempt++) {
            Path dir = parent.resolve(".ipc4j-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000));
            try {
                return Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (AccessDeniedException e) {
                throw new PermissionDeniedException("unix:" + forPath + ": cannot create files in " + parent);
            } catch (IOException e) {
                throw new IpcException("unix:" + forPath + ": cannot create a private directory in " + parent + ": " + e, e);
            }
        }
        throw new IpcException("unix:" + forPath + ": could not find a free temporary name in " + parent);
    }

    private static void deletePrivate(Path file, Path dir) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.get().warn("could not remove the temporary directory {}: {}", dir, e.toString());
        }
    }
}
