package org.ipc4j.semaphore.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Set;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.PermissionDeniedException;
import org.ipc4j.api.internal.FileModes;

/**
 * The shared state of a {@code NamedMutex}: a 64-byte file in {@code /dev/shm}, mapped by every process
 * that opens the mutex, updated only with atomic operations. Layout (native byte order, 8-byte words):
 *
 * <pre>
 * offset 0   magic     {@link #MAGIC} ("ipc4jMX" + version 2), set by whoever maps the file first
 * offset 8   owner     0 = released cleanly, else the token of the last holder that has not released:
 *                      pid &lt;&lt; 32 | (start time &amp; 0xffffffff), for messages only
 * offset 16  waiters   how many threads (in all processes) are parked on the door-bell semaphore
 * offset 24  recovered how many times a dead owner's lock was taken over (informational)
 * </pre>
 *
 * The lock itself is not in the memory: it is an open-file-description write lock on byte
 * {@link #LOCK_BYTE} of this same file ({@code fcntl F_OFD_SETLK}), which the kernel drops when the holder's
 * process dies. A holder writes its token after taking that lock and clears it before letting the lock go,
 * so a token found under a freshly taken lock names a holder that died holding it.
 *
 * An all-zero file is a valid free mutex, so a process that maps the file while its creator is still
 * setting it up sees a consistent state: there is no initialisation step to race with.
 */
public final class OwnerRecord {
    public static final int SIZE = 64;
    static final long MAGIC = 0x6970_6334_6a4d_5802L; // "ipc4jMX", version 2
    /** The byte whose OFD lock is the mutex: the first byte of the owner word. */
    public static final long LOCK_BYTE = 8;
    private static final int MAGIC_INDEX = 0;
    private static final int OWNER_INDEX = 1;
    private static final int WAITERS_INDEX = 2;
    private static final int RECOVERED_INDEX = 3;
    private static final VarHandle WORDS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path path;
    /** Kept reachable for the life of this object: the mapping lives as long as the buffer does. */
    private final MappedByteBuffer buffer;
    /** The identity (device, inode) of the file mapped, so the lock is taken on that very file. */
    private final Object fileKey;

    private OwnerRecord(Path path, MappedByteBuffer buffer, Object fileKey) {
        this.path = path;
        this.buffer = buffer;
        this.fileKey = fileKey;
    }

    /**
     * Opens or creates the record file with {@code permissions} set at creation (no chmod afterwards).
     */
    public static OwnerRecord open(Path path, OpenMode mode, int permissions) throws IpcException {
        // NOFOLLOW_LINKS (O_NOFOLLOW): a symlink planted under the name in a world-writable directory must not
        // make us map, grow and write some other file.
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
        switch (mode) {
            case CREATE -> options.add(StandardOpenOption.CREATE_NEW);
            case OPEN_OR_CREATE -> options.add(StandardOpenOption.CREATE);
            default -> {
            }
        }
        FileAttribute<Set<PosixFilePermission>> perms = FileModes.attribute(permissions);
        MappedByteBuffer buffer;
        Object key;
        try (FileChannel ch = FileChannel.open(path, options, perms)) {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || (ch.size() != 0 && ch.size() != SIZE)) {
                throw new CorruptedStateException("mutex record " + path + " is not an ipc4j mutex record: expected a"
                        + " regular file of 0 or " + SIZE + " bytes, found " + describe(path, ch.size()));
            }
            // Mapping past the end grows the file with zeros: every opener does it, the result is the same.
            buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException("mutex record " + path + " exists (mode " + mode + ")");
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException("no mutex record " + path + " (mode " + mode + ")");
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException("mutex record " + path
                    + ": permission denied; its permissions do not allow this user to open it");
        } catch (IpcException e) {
            throw e;
        } catch (IOException e) {
            if (Files.isSymbolicLink(path)) {
                throw new PermissionDeniedException("mutex record " + path
                        + " is a symbolic link; refusing to follow it (remove it if it is not yours)");
            }
            throw new IpcException("cannot open mutex record " + path + ": " + e, e);
        }
        OwnerRecord record = new OwnerRecord(path, buffer, key);
        long magic = (long) WORDS.compareAndExchange(buffer, MAGIC_INDEX * 8, 0L, MAGIC);
        if (magic != 0 && magic != MAGIC) {
            throw new CorruptedStateException("mutex record " + path + ": magic word is 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(MAGIC) + " (not an ipc4j mutex, or another version"
                    + (magic == MAGIC - 1 ? ": version 1, which judged owners by pid; remove it with"
                    + " NamedMutex.unlink once no process uses it" : "") + ")");
        }
        return record;
    }

    private static String describe(Path path, long size) {
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? "a file of " + size + " bytes" : "not a regular file";
    }

    public Path path() {
        return path;
    }

    /** The identity of the file mapped, for {@code ByteLocks.open}. */
    public Object fileKey() {
        return fileKey;
    }

    /** The token of the holder (or of a holder that died holding the lock), 0 after a clean release. */
    public long owner() {
        return (long) WORDS.getVolatile(buffer, OWNER_INDEX * 8);
    }

    /** Atomically replaces {@code expected} by {@code update} (full fence). */
    public boolean casOwner(long expected, long update) {
        return WORDS.compareAndSet(buffer, OWNER_INDEX * 8, expected, update);
    }

    public long addWaiters(long delta) {
        return (long) WORDS.getAndAdd(buffer, WAITERS_INDEX * 8, delta) + delta;
    }

    public long waiters() {
        return (long) WORDS.getVolatile(buffer, WAITERS_INDEX * 8);
    }

    public void countRecovery() {
        WORDS.getAndAdd(buffer, RECOVERED_INDEX * 8, 1L);
    }

    public long recoveries() {
        return (long) WORDS.getVolatile(buffer, RECOVERED_INDEX * 8);
    }

    /** Deletes the file; false if it was not there. */
    public static boolean delete(Path path) throws IpcException {
        try {
            return Files.deleteIfExists(path);
        } catch (AccessDeniedException e) {
            throw new PermissionDeniedException("cannot remove mutex record " + path + ": permission denied");
        } catch (IOException e) {
            throw new IpcException("cannot remove mutex record " + path + ": " + e, e);
        }
    }
}
