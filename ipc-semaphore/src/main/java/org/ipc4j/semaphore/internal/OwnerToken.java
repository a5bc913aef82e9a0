package org.ipc4j.semaphore.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.api.internal.ProcessIdentity;

/**
 * A process as one 64-bit word, so that taking and handing over a lock is a single compare-and-set:
 * {@code pid << 32 | (start time & 0xffffffff)}. The start time tells a living owner from a later
 * process that reused its pid; keeping its low 32 bits is enough for that (two processes would need the
 * same pid and start times exactly 2^32 clock ticks, about 497 days, apart).
 */
public final class OwnerToken {
    private OwnerToken() {
    }

    /** This process's token; never 0. */
    public static long self() {
        ProcessIdentity me = ProcessIdentity.self();
        return of(me.pid(), me.startTime());
    }

    static long of(long pid, long startTime) {
        return (pid << 32) | (startTime & 0xffffffffL);
    }

    public static long pid(long token) {
        return token >>> 32;
    }

    /**
     * Whether the process of {@code token} still runs. When its {@code /proc} entry exists but cannot be read
     * (a {@code hidepid} mount), the answer is "alive": wrongly declaring a living owner dead would break
     * mutual exclusion, wrongly waiting only delays recovery.
     */
    public static boolean isAlive(long token) {
        long pid = pid(token);
        long start = ProcessIdentity.startTimeOf(pid);
        if (start != -1) {
            return (start & 0xffffffffL) == (token & 0xffffffffL);
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        // -1: gone, a zombie (dead, waiting to be reaped), or unreadable. Only the last counts as alive.
        return Files.exists(proc) && !Files.isReadable(proc.resolve("stat"));
    }

    public static String describe(long token) {
        return "pid " + pid(token);
    }
}
