package org.ipc4j.api.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Identifies a process across pid reuse: its pid plus its start time. On Linux the start time is field 22
 * of {@code /proc/PID/stat} (clock ticks since boot), which does not change while the process lives and
 * differs for a later process that reuses the pid. Elsewhere the start time comes from
 * {@link ProcessHandle.Info#startInstant()} in milliseconds.
 *
 * <p>For messages, and for judging liveness only where no kernel lock can: a pid means nothing to a process
 * in another PID namespace (it names another process there, or none). Liveness on Linux comes from locks the
 * kernel drops at process death ({@link org.ipc4j.api.internal.posix.ByteLocks}, {@link SideLease}).
 */
public final class ProcessIdentity {
    private static final ProcessIdentity SELF = new ProcessIdentity(ProcessHandle.current().pid(),
            startTimeOf(ProcessHandle.current().pid()));

    private final long pid;
    private final long startTime;

    private ProcessIdentity(long pid, long startTime) {
        this.pid = pid;
        this.startTime = startTime;
    }

    /** This process. */
    public static ProcessIdentity self() {
        return SELF;
    }

    public long pid() {
        return pid;
    }

    /** An opaque start time, comparable only with other values of this class on the same boot. */
    public long startTime() {
        return startTime;
    }

    /**
     * Whether the process {@code pid} that started at {@code startTime} is still running. A pid that now
     * belongs to another process (different start time) counts as dead. A zombie counts as dead.
     */
    public static boolean isAlive(long pid, long startTime) {
        if (pid <= 0) {
            return false;
        }
        long current = startTimeOf(pid);
        return current != -1 && current == startTime;
    }

    /** The start time of {@code pid}, or -1 if there is no such (living) process. */
    public static long startTimeOf(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(Path.of("/proc/self/stat"))) {
            try {
                String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
                // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
                String[] fields = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
                if (fields[0].equals("Z") || fields[0].equals("X")) {
                    return -1;
                }
                return Long.parseLong(fields[19]);
            } catch (NoSuchFileException e) {
                return -1;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(h -> h.info().startInstant()).map(java.time.Instant::toEpochMilli).orElse(-1L);
    }

    @Override
    public String toString() {
        return "pid " + pid + " (started " + startTime + ")";
    }
}
