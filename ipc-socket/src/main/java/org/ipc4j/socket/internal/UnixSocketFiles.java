package org.ipc4j.socket.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.PermissionDeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a Unix domain server socket file that is never visible with wider permissions than asked for.
 *
 * <p>Java cannot set the umask, and {@code bind} creates the file with the umask's permissions, so a
 * chmod after bind would leave a window in which anyone may connect. Instead the socket is bound inside a
 * fresh directory created with mode 0700 (nobody else can even reach the file), chmod-ed there, and then
 * renamed into place: {@code rename(2)} is atomic, so the file appears at its public path with its final
 * permissions, and it atomically replaces a stale socket file left by a dead server.
 */
public final class UnixSocketFiles {
    private static final Logger LOG = LoggerFactory.getLogger(UnixSocketFiles.class);
    /** sun_path holds 108 bytes including the terminating NUL on Linux. */
    public static final int MAX_PATH_BYTES = 107;

    private UnixSocketFiles() {
    }

    /** Owner-only, or wider as asked; only read/write bits make sense on a socket. */
    public static Set<PosixFilePermission> permissions(int bits) {
        if ((bits & ~0666) != 0) {
            throw new IllegalArgumentException("socket permissions must use only the bits 0666, got 0"
                    + Integer.toOctalString(bits));
        }
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

    /**
     * Binds {@code server} to {@code path} with the given permissions, replacing a stale socket file and
     * refusing to take over a live one.
     *
     * @return the file key (inode) of the new socket file, to recognise it at close
     * @throws ObjectExistsException if a server is listening at the path, or it is not a socket
     */
    public static Object bind(ServerSocketChannel server, Path path, int permissionBits, int backlog) throws IpcException {
        if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            throw new org.ipc4j.api.UnsupportedPlatformException("unix:" + path + ": a Unix socket server needs POSIX"
                    + " file permissions to make its socket file owner-only, and this file system has none");
        }
        Path absolute = path.toAbsolutePath();
        checkLength(absolute);
        Set<PosixFilePermission> perms = permissions(permissionBits);
        Path parent = absolute.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NoSuchObjectException("unix:" + path + ": the directory " + parent + " does not exist");
        }
        checkNotLive(absolute);
        Path dir = createPrivateDirectory(parent, absolute);
        Path temporary = dir.resolve("s");
        try {
            server.bind(UnixDomainSocketAddress.of(temporary), backlog);
            Files.setPosixFilePermissions(temporary, perms);
            // a second check narrows the window in which another server could have started meanwhile
            checkNotLive(absolute);
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            return Files.readAttributes(absolute, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException("unix:" + path + ": cannot create the socket file: " + e.getMessage());
        } catch (IpcException e) {
            throw e;
        } catch (IOException e) {
            throw new IpcException("unix:" + path + ": bind failed: " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                LOG.warn("could not remove the temporary directory {}: {}", dir, e.toString());
            }
        }
    }

    private static void checkLength(Path absolute) {
        int bytes = absolute.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("unix:" + absolute + ": a Unix socket path may have at most "
                    + MAX_PATH_BYTES + " bytes, this one has " + bytes);
        }
    }

    private static Path createPrivateDirectory(Path parent, Path forPath) throws IpcException {
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

    /** Throws if {@code path} is a live socket or not a socket; logs and returns if it is stale or absent. */
    private static void checkNotLive(Path path) throws IpcException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IpcException("unix:" + path + ": cannot inspect the existing file: " + e, e);
        }
        if (!attributes.isOther()) {
            throw new ObjectExistsException("unix:" + path + " exists and is not a socket; not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // non-blocking: a live server with a full backlog must not hang us; "in progress" counts as live
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException refused) {
            LOG.info("unix:{}: replacing a stale socket file (connect: {})", path, refused.getMessage());
            return;
        }
        throw new ObjectExistsException("unix:" + path + ": a server is already listening there; not taking over"
                + " a live socket (close that server, or choose another path)");
    }

    /** Deletes the socket file if it is still the one this server created (not a successor's). */
    public static void deleteIfOurs(Path path, Object fileKey) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (fileKey == null || fileKey.equals(a.fileKey())) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("unix:{}: could not remove the socket file: {}", path, e.toString());
        }
    }
}
