package org.ipc4j.shm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.IpcNames;
import org.ipc4j.api.NamedObject;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.api.OpenMode;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.internal.ProcessIdentity;
import org.ipc4j.api.internal.FileModes;
import org.ipc4j.api.internal.posix.ByteLocks;
import org.ipc4j.shm.internal.ChronicleView;
import org.ipc4j.shm.internal.FileSpace;
import org.ipc4j.shm.internal.MappedStore;
import org.ipc4j.shm.internal.RegionFiles;
import org.ipc4j.shm.internal.Residency;

/**
 * A named region of shared memory: a file in {@code /dev/shm} on Linux (the file {@code shm_open("/NAME")}
 * uses), mapped into this process. Every process that opens the same name sees the same bytes.
 *
 * <pre>{@code
 * try (SharedMemory region = SharedMemory.open("counters", 4096, OpenOptions.openOrCreate())) {
 *     region.bytes().addAndGetLong(0, 1);          // atomic, visible to every process
 * }
 * }</pre>
 *
 * <p><b>Creation.</b> A new region is built under a temporary name, sized with all its memory reserved
 * ({@code posix_fallocate}; zero-filled by the kernel) and then linked to its name in one atomic step, so no
 * process ever opens a half-made region, and a full {@code /dev/shm} fails the creation with
 * {@link org.ipc4j.api.LimitReachedException} instead of faulting at a later access. Temporary files left
 * by creators that died are removed. With unlink-on-close, only the file this object mapped is removed,
 * never a newer region created under the same name after ours was unlinked. It gets the
 * permissions of {@link OpenOptions#permissions()} (default {@code 0600}) at creation, reduced by the
 * process umask like {@code shm_open}. Opening an existing region never writes to it.
 *
 * <p><b>Memory.</b> {@link #bytes()} is ipc4j's view of the whole region ({@link RegionBytes}): JDK memory
 * access, no JVM flags, no {@code sun.misc.Unsafe}. Several threads may use it at once; ordering between
 * processes is the caller's business (use {@code writeOrderedLong}/{@code readVolatileLong}/
 * {@code compareAndSwapLong}, or a semaphore). {@link #chronicleBytes()} gives a Chronicle Bytes view of
 * the same memory instead, for code written against that API; it needs chronicle-bytes on the class path.
 *
 * <p><b>Close.</b> {@link #close()} is idempotent and releases the views: any later access through
 * {@link #bytes()} throws {@link IllegalStateException} (through {@link #chronicleBytes()} Chronicle's
 * unchecked exception), it never reads unmapped memory. The pages are unmapped by the JDK once neither
 * this object nor a view is reachable. This process owns the object and must close it; the name outlives
 * it until {@link #unlink()} (or {@link OpenOptions#unlinkOnClose(boolean)}).
 *
 * <p><b>Limits.</b> 1 byte to {@value #MAX_SIZE} bytes (one JDK mapping). On Linux the total of all
 * regions is bounded by the size of {@code /dev/shm} (tmpfs, usually half the RAM). If another process
 * truncates the file while it is mapped, an access beyond the new end faults: the rings and channels report
 * that as {@link CorruptedStateException} (naming the file and both sizes), {@link RegionBytes} as an
 * {@link java.io.UncheckedIOException} wrapping one; ipc4j never truncates.
 *
 * <p><b>Where.</b> Linux: {@code /dev/shm}. Elsewhere: {@code java.io.tmpdir/ipc4j-shm} (created 0700).
 * The system property {@code ipc4j.shm.dir} chooses another directory (all processes must agree).
 */
public final class SharedMemory implements NamedObject {
    /** The largest region: the largest mapping the JDK makes in one piece. */
    public static final long MAX_SIZE = Integer.MAX_VALUE;

    private static final AtomicLong TEMP_COUNTER = new AtomicLong();
    /** {@code .NAME.new-PID-N}: the temporary name a region is built under before it is linked to NAME. */
    private static final java.util.regex.Pattern TEMP_NAME =
            java.util.regex.Pattern.compile("\\.(.+)\\.new-(\\d{1,10})-\\d+");
    /** A temporary file younger than this is never removed: its creator may be in another pid namespace. */
    private static final Duration STALE_TEMP_AGE = Duration.ofSeconds(10);

    private final String name;
    private final Path file;
    private final MappedStore store;
    private final RegionBytes bytes;
    private final long size;
    private final boolean created;
    private final boolean unlinkOnClose;
    /**
     * The identity (device, inode) of the file mapped, so that unlink-on-close removes only that file and the
     * liveness locks are taken on it.
     */
    private final Object fileKey;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The rings' kernel locks on this file, opened on first use; guarded by {@code this}. */
    private ByteLocks locks;
    private boolean locksOpened;
    /** Set when a ring end kept its slot at close: its locks must then stay until the process ends. */
    private volatile boolean keepLocks;

    /** Writes the initial contents of a new region before its name becomes visible. */
    @FunctionalInterface
    interface Initializer {
        void initialize(MappedStore newRegion, Path file) throws IpcException;
    }

    private SharedMemory(String name, Path file, MappedStore store, boolean created, boolean unlinkOnClose,
            Object fileKey) {
        this.name = name;
        this.fileKey = fileKey;
        this.file = file;
        this.store = store;
        this.size = store.capacity();
        this.bytes = new RegionBytes(store, "shared memory " + file, file);
        this.created = created;
        this.unlinkOnClose = unlinkOnClose;
    }

    /**
     * Creates or opens the region {@code name}, as {@code options} say. A new region has {@code size}
     * zero bytes; an existing one must have at least {@code size} bytes and is mapped whole (so
     * {@link #size()} may be larger than asked).
     *
     * @param name a name by the rules of {@link IpcNames}
     * @param size bytes, 1 to {@link #MAX_SIZE}
     * @throws IllegalArgumentException for a bad name or size
     * @throws ObjectExistsException if {@link OpenMode#CREATE} and the name exists
     * @throws NoSuchObjectException if {@link OpenMode#OPEN} and there is no such region
     * @throws CorruptedStateException if the existing file is smaller than {@code size}
     * @throws org.ipc4j.api.LimitReachedException if the file system has no room for a new region (names the
     *         directory, the size and the free space)
     * @throws org.ipc4j.api.PermissionDeniedException if the file may not be opened for reading and writing
     * @throws org.ipc4j.api.UnsupportedPlatformException if JNA is missing (it gives the mapping's address)
     * @throws IpcException for other file-system failures (the message names the file)
     */
    public static SharedMemory open(String name, long size, OpenOptions options) throws IpcException {
        return open(name, size, size, options, null);
    }

    /**
     * Opens the existing region {@code name} with the size it has. {@code options} must use
     * {@link OpenMode#OPEN} (a new region needs a size); its unlink-on-close flag applies.
     *
     * @throws IllegalArgumentException for a bad name or a mode other than OPEN
     * @throws NoSuchObjectException if there is no such region
     * @throws CorruptedStateException if the file is empty or larger than {@link #MAX_SIZE}
     * @throws org.ipc4j.api.UnsupportedPlatformException if JNA is missing (it gives the mapping's address)
     * @throws IpcException for other file-system failures
     */
    public static SharedMemory open(String name, OpenOptions options) throws IpcException {
        Objects.requireNonNull(options, "options");
        if (options.mode() != OpenMode.OPEN) {
            throw new IllegalArgumentException("shared memory \"" + name + "\": opening without a size needs "
                    + "OpenMode.OPEN, got " + options.mode() + "; pass a size to create");
        }
        return open(name, 0, 0, options, null);
    }

    /** Removes the name {@code name}. Returns whether a region of that name existed. */
    public static boolean unlink(String name) throws IpcException {
        Path file = RegionFiles.directory().resolve(IpcNames.validate("shared memory", name));
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw RegionFiles.translate(e, "unlink shared memory " + file);
        }
    }

    /** The file that holds the region {@code name} (it may not exist). */
    public static Path pathOf(String name) throws IpcException {
        return RegionFiles.directory().resolve(IpcNames.validate("shared memory", name));
    }

    /**
     * Open with an initializer for a new region. {@code size} is the size of a new region; an existing one
     * must have at least {@code minExisting} bytes (0: any size, its own header says what it holds).
     */
    static SharedMemory open(String name, long size, long minExisting, OpenOptions options, Initializer initializer)
            throws IpcException {
        String bare = IpcNames.validate("shared memory", name);
        Objects.requireNonNull(options, "options");
        if (size < 0 || size > MAX_SIZE || (size == 0 && options.mayCreate())) {
            throw new IllegalArgumentException("shared memory \"" + name + "\": size must be 1 to " + MAX_SIZE
                    + " bytes, got " + size);
        }
        Path dir = RegionFiles.directory();
        Path file = dir.resolve(bare);
        // OPEN_OR_CREATE races with other processes: retry until one of open/create wins.
        for (int attempt = 0; ; attempt++) {
            if (options.mode() != OpenMode.CREATE) {
                try {
                    return openExisting(name, file, minExisting, options);
                } catch (NoSuchObjectException e) {
                    if (options.mode() == OpenMode.OPEN) {
                        throw e;
                    }
                }
            }
            try {
                return create(name, dir, bare, file, size, options, initializer);
            } catch (ObjectExistsException e) {
                if (options.mode() == OpenMode.CREATE || attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static SharedMemory openExisting(String name, Path file, long size, OpenOptions options)
            throws IpcException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            long actual = channel.size();
            if (actual < Math.max(size, 1)) {
                throw new CorruptedStateException("shared memory " + file + ": field size: the file has " + actual
                        + " bytes, " + (size == 0 ? "an empty region cannot be mapped" : "less than the "
                        + size + " required"));
            }
            if (actual > MAX_SIZE) {
                throw new CorruptedStateException("shared memory " + file + ": field size: the file has " + actual
                        + " bytes, more than the largest mapping of " + MAX_SIZE);
            }
            Object key = fileKeyOf(file);
            MappedStore store = MappedStore.map(channel, actual);
            if (!key.equals(fileKeyOf(file))) {
                releaseQuietly(store);
                throw new NoSuchObjectException("shared memory " + file + " was replaced while it was being opened");
            }
            return new SharedMemory(name, file, store, false, options.unlinkOnClose(), key);
        } catch (IpcException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException("shared memory " + file + " does not exist");
        } catch (IOException e) {
            throw RegionFiles.translate(e, "open shared memory " + file);
        }
    }

    private static SharedMemory create(String name, Path dir, String bare, Path file, long size,
            OpenOptions options, Initializer initializer) throws IpcException {
        Path temp = dir.resolve("." + bare + ".new-" + ProcessHandle.current().pid() + "-"
                + TEMP_COUNTER.incrementAndGet());
        MappedStore store = null;
        removeStaleTemporaries(dir);
        try {
            Object key;
            try {
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createFile(temp, FileModes.attribute(options.permissions()));
                } else {
                    Files.createFile(temp);
                }
                // Reserve every block now: a sparse file on a full tmpfs faults (SIGBUS) at first touch instead.
                boolean allocated = FileSpace.allocate(temp, size, file);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    if (!allocated) {
                        // No block allocation here: one byte at the end sizes the file (sparse, zero-filled).
                        channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
                    }
                    store = MappedStore.map(channel, size);
                }
                if (initializer != null) {
                    initializer.initialize(store, file);
                }
                key = fileKeyOf(temp);
                publish(temp, file);
            } finally {
                Files.deleteIfExists(temp);
            }
            return new SharedMemory(name, file, store, true, options.unlinkOnClose(), key);
        } catch (IpcException | RuntimeException e) {
            releaseQuietly(store);
            throw e;
        } catch (FileAlreadyExistsException e) {
            releaseQuietly(store);
            throw new ObjectExistsException("shared memory " + file + " already exists");
        } catch (IOException e) {
            releaseQuietly(store);
            throw RegionFiles.translate(e, "create shared memory " + file);
        }
    }

    private static Object fileKeyOf(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Removes temporary files ({@code .NAME.new-PID-N}) left by processes that died while creating a region:
     * they can be as large as a region and nothing else would ever remove them. Only files whose process
     * no longer exists and that are older than a few seconds are touched; failures are ignored (this is
     * housekeeping, another process may be doing the same).
     */
    private static void removeStaleTemporaries(Path dir) {
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (var entries = Files.newDirectoryStream(dir, ".*.new-*")) {
            for (Path entry : entries) {
                var m = TEMP_NAME.matcher(entry.getFileName().toString());
                if (!m.matches() || !isValidName(m.group(1))) {
                    continue;
                }
                long pid = Long.parseLong(m.group(2));
                if (pid == ProcessHandle.current().pid() || ProcessIdentity.startTimeOf(pid) != -1) {
                    continue;
                }
                FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(cutoff) && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    private static boolean isValidName(String bare) {
        try {
            IpcNames.validate("shared memory", bare);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Gives the finished temporary file its name, failing if the name is taken. */
    private static void publish(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (UnsupportedOperationException e) {
            // No hard links here: a plain move, which checks for an existing target first.
            Files.move(temp, file);
        }
    }

    private static void releaseQuietly(MappedStore store) {
        if (store != null) {
            store.release();
        }
    }

    /**
     * The view of the whole region, offsets 0 to {@link #size()} (always the same object). Owned by this
     * object: it is released by {@link #close()}, after which every access throws.
     *
     * @throws IllegalStateException if this region is closed
     */
    public RegionBytes bytes() {
        if (closed.get()) {
            throw new IllegalStateException("shared memory " + file + " is closed");
        }
        return bytes;
    }

    /**
     * A Chronicle Bytes view of the whole region, for code written against Chronicle's API. Needs
     * chronicle-bytes on the class path (an optional dependency of ipc-shm; on the module path, the module
     * {@code chronicle.bytes} resolved, e.g. {@code --add-modules chronicle.bytes}). Chronicle logs when it
     * is first used and accesses memory through {@code sun.misc.Unsafe} (JDK 24 and later warn about that,
     * and it fails where that access is denied); the rest of ipc4j needs neither. Made once, owned by this
     * object: released by {@link #close()}, after which every access throws.
     *
     * @throws IllegalStateException if this region is closed
     * @throws UnsupportedOperationException if Chronicle Bytes is not on the class path or does not load
     */
    public net.openhft.chronicle.bytes.BytesStore<?, ?> chronicleBytes() {
        if (closed.get()) {
            throw new IllegalStateException("shared memory " + file + " is closed");
        }
        try {
            return ChronicleView.of(store);
        } catch (LinkageError e) {
            throw new UnsupportedOperationException("shared memory " + file + ": chronicleBytes() needs "
                    + "chronicle-bytes on the class path (and sun.misc.Unsafe memory access allowed): " + e, e);
        }
    }

    /** The view without the closed check (the ring's ends check their own flag). */
    RegionBytes view() {
        return bytes;
    }

    /** What a fault on access means here, recorded for later calls: see {@link MappedStore#recordFault}. */
    CorruptedStateException faulted(InternalError error) {
        return store.recordFault(file, error);
    }

    /**
     * Throws the recorded fault, if an access faulted earlier (the file was truncated): the ring ends call this
     * before touching the memory, so that a broken region raises no new fault.
     */
    void checkFault() throws CorruptedStateException {
        if ((store.state() & MappedStore.FAULTED) != 0) {
            throw store.faulted();
        }
    }

    /** The size of the mapping in bytes. */
    public long size() {
        return size;
    }


    /**
     * Maps every page of the region into this process now, so that no later access takes a page fault
     * (pre-faulting). A fresh mapping otherwise faults at the first touch of each 4 KiB page, which costs
     * microseconds each and shows in the tail latency of anything streaming through the region. Changes no
     * byte, so it is safe while other processes use the region: {@code madvise(MADV_POPULATE_WRITE)} on
     * Linux 5.14 and later, then an atomic add of 0 to one word per page (the madvise alone left the first
     * write to each page still faulting). Measured on a 2-core virtual machine: 12-16 ms per 16 MiB, 175-195
     * ms for 256 MiB, 0.7-2.2 s for 1 GiB; a few milliseconds for the default 2 MiB channel.
     * {@link ShmRing} and {@link ShmChannel} do this at open unless {@link ShmRingConfig#prefault(boolean)}
     * says otherwise.
     *
     * @throws EndpointClosedException if this region is closed
     */
    public void prefault() throws EndpointClosedException {
        ensureOpen();
        Residency.populate(store.memory(), store.address(), size);
    }
    /** The file behind the region. */
    public Path path() {
        return file;
    }

    /** Whether this call created the region (rather than opening an existing one). */
    public boolean created() {
        return created;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** @throws EndpointClosedException if closed, naming the file */
    void ensureOpen() throws EndpointClosedException {
        if (closed.get()) {
            throw new EndpointClosedException("shared memory " + file);
        }
    }

    /** The store without the closed check, for the ring's hot path (which checks its own flag). */
    MappedStore store() {
        return store;
    }

    /**
     * This endpoint's kernel locks on the region file, for the liveness of ring participants (see
     * {@code RingSlots}); opened on the first call and closed with the region. {@code null} where the
     * platform has no open-file-description locks (then rings judge peers by pid and start time).
     *
     * @throws IpcException if the file cannot be opened for locking (it was replaced, or this user may not)
     */
    synchronized ByteLocks liveness() throws IpcException {
        ensureOpen();
        if (!locksOpened) {
            if (ByteLocks.unavailableReason() == null) {
                locks = ByteLocks.open(file, fileKey, "shared memory " + file);
            }
            locksOpened = true;
        }
        return locks;
    }

    /** A ring end kept its slot at close (a claim in flight would not end): its lock stays until the process ends. */
    void keepLivenessUntilExit() {
        keepLocks = true;
    }

    private synchronized void closeLocks() {
        if (locks != null && !keepLocks) {
            locks.close();
        }
    }

    /** Closes without the unlink-on-close: for an open that failed after mapping someone else's file. */
    void abandon() {
        if (closed.compareAndSet(false, true)) {
            closeLocks();
            releaseQuietly(store);
        }
    }

    @Override
    public void unlink() throws IpcException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw RegionFiles.translate(e, "unlink shared memory " + file);
        }
    }

    /**
     * Releases the view (later access throws) and, with unlink-on-close, removes the name. Idempotent.
     */
    @Override
    public void close() throws IpcException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeLocks();
        releaseQuietly(store);
        if (unlinkOnClose) {
            unlinkIfStillOurs();
        }
    }

    /**
     * Removes the name only if it still refers to the file this object mapped: after another process unlinked
     * and re-created the name, that newer region is not ours to remove.
     */
    private void unlinkIfStillOurs() throws IpcException {
        try {
            Object current = fileKeyOf(file);
            if (fileKey == null || current == null || fileKey.equals(current)) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // already removed
        } catch (IOException e) {
            throw RegionFiles.translate(e, "unlink shared memory " + file);
        }
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name + ", " + size + " bytes, " + file + (isOpen() ? "" : ", closed") + "]";
    }
}
