package org.ipc4j.api.internal.posix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An operating-system limit that a failed call may have hit, as data: its name (what
 * {@link org.ipc4j.api.LimitReachedException#limit()} reports), how to read its live value, its unit, and how
 * to raise it. Values are read when an error needs them, never cached: an administrator may raise a limit
 * while the application runs.
 *
 * <pre>{@code
 * Limit.sysctl("fs.mqueue.queues_max", "queues")      // /proc/sys/fs/mqueue/queues_max
 * Limit.rlimit("RLIMIT_MSGQUEUE", OsConstants.RLIMIT_MSGQUEUE, "bytes",
 *         "ulimit -q, 'msgqueue' in limits.conf, LimitMSGQUEUE= in systemd")
 * }</pre>
 */
public final class Limit {
    /** A live value that could not be read. */
    public static final long UNKNOWN = -1;
    /** A live value of "no limit" ({@code RLIM_INFINITY}). */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** Open file descriptors of this process. */
    public static final Limit OPEN_FILES = rlimit("RLIMIT_NOFILE", OsConstants.RLIMIT_NOFILE, "",
            "close unused descriptors, or raise it (ulimit -n, 'nofile' in limits.conf, LimitNOFILE= in systemd)");
    /** Open files of the whole system. */
    public static final Limit SYSTEM_FILES = sysctl("fs.file-max", "");

    private final String name;
    private final String unit;
    private final LongSupplier live;
    private final String howToRaise;

    private Limit(String name, String unit, LongSupplier live, String howToRaise) {
        this.name = Objects.requireNonNull(name, "name");
        this.unit = Objects.requireNonNull(unit, "unit");
        this.live = Objects.requireNonNull(live, "live");
        this.howToRaise = Objects.requireNonNull(howToRaise, "howToRaise");
    }

    /**
     * A kernel parameter, e.g. {@code fs.mqueue.queues_max}: named by its /proc file
     * ({@code /proc/sys/fs/mqueue/queues_max}), read from there, raised with {@code sysctl} as root.
     */
    public static Limit sysctl(String key, String unit) {
        String file = "/proc/sys/" + key.replace('.', '/');
        return new Limit(file, unit, () -> readProc(file), "raise it: sysctl " + key + "=N (as root)");
    }

    /** A resource limit of {@code getrlimit(2)}; its live value is this process's soft limit. */
    public static Limit rlimit(String name, int resource, String unit, String howToRaise) {
        return new Limit(name, unit, () -> softRlimit(resource), howToRaise);
    }

    /** A limit whose value never changes, e.g. {@code SEM_VALUE_MAX}. */
    public static Limit fixed(String name, long value, String unit, String howToRaise) {
        return new Limit(name, unit, () -> value, howToRaise);
    }

    /** The free space of the file system of {@code directory}, e.g. /dev/shm. */
    public static Limit freeSpace(Path directory, String howToRaise) {
        return new Limit("free space in " + directory, "bytes", () -> {
            try {
                return Files.getFileStore(directory).getUsableSpace();
            } catch (IOException | RuntimeException e) {
                return UNKNOWN;
            }
        }, howToRaise);
    }

    /** What {@link org.ipc4j.api.LimitReachedException#limit()} reports, e.g. {@code RLIMIT_MSGQUEUE}. */
    public String name() {
        return name;
    }

    /** The value in force now; {@link #UNKNOWN} if it cannot be read, {@link #UNLIMITED} for no limit. */
    public long value() {
        return live.getAsLong();
    }

    /** How to raise it, for messages, e.g. {@code "raise it: sysctl fs.mqueue.queues_max=N (as root)"}. */
    public String howToRaise() {
        return howToRaise;
    }

    /** {@code "RLIMIT_MSGQUEUE is 819200 bytes"}, {@code "... is unlimited"} or {@code "... could not be read"}. */
    public String describe(long value) {
        if (value == UNKNOWN) {
            return name + " could not be read";
        }
        if (value == UNLIMITED) {
            return name + " is unlimited";
        }
        return name + " is " + value + (unit.isEmpty() ? "" : " " + unit);
    }

    /**
     * A number from a /proc file, or {@link #UNKNOWN}. Read with one large {@code read}: sysctl files report
     * size 0, and a second read at a non-zero offset returns end-of-file, so {@link Files#readAllBytes}
     * (which starts with a one-byte read for such files) would see only the first digit.
     */
    public static long readProc(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return n <= 0 ? UNKNOWN : Long.parseLong(new String(buffer, 0, n, StandardCharsets.US_ASCII).trim());
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /**
     * The soft limit of {@code resource} ({@link OsConstants#RLIMIT_NOFILE}...): {@link #UNLIMITED} for
     * {@code RLIM_INFINITY}, {@link #UNKNOWN} if it cannot be read (also where native calls do not work).
     */
    public static long softRlimit(int resource) {
        if (!NativeSupport.isAvailable(NativeSupport.Binding.LIBC)) {
            return UNKNOWN;
        }
        Scratch scratch = Scratch.get();
        if (Libc.getrlimit(resource, scratch.address(Scratch.RLIMIT)) != 0) {
            return UNKNOWN;
        }
        long soft = scratch.memory().getLong(Scratch.RLIMIT + Structs.RLIMIT_CUR);
        return soft == -1 ? UNLIMITED : soft; // RLIM_INFINITY is all ones
    }

    @Override
    public String toString() {
        return "Limit[" + name + "]";
    }
}
