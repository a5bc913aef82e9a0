package org.ipc4j.semaphore.internal;

import org.ipc4j.api.internal.ProcessIdentity;

/**
 * A process as one 64-bit word, written in the owner record for messages only:
 * {@code pid << 32 | (start time & 0xffffffff)}. Whether the holder lives is the kernel lock's business
 * (see {@code OwnerRecord}); a pid means nothing to a process in another PID namespace.
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

    public static String describe(long token) {
        return "pid " + pid(token) + " (started " + (token & 0xffffffffL) + " clock ticks after boot, as that"
                + " process saw itself)";
    }
}
