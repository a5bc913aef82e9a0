package org.ipc4j.testkit;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.ipc4j.api.Sync;

/**
 * The other JVM of {@link SyncContract}'s mutual-exclusion test: {@code OPENER ADDRESS ROUNDS MARKER}.
 * Opens the object with the {@link SyncContract.Opener} class named, prints {@value #READY}, then runs
 * {@link #rounds} and exits 0; 1 (with the stack trace) if both processes were inside at once or anything
 * failed.
 */
public final class SyncPeerTestApp {
    /** Printed once the object is open. */
    public static final String READY = "SYNC-READY";

    private SyncPeerTestApp() {
    }

    /**
     * {@code rounds} times: acquire, create the marker file (which fails if the other process is inside),
     * stay inside a moment, delete it, release.
     *
     * @throws AssertionError if the marker was there: both were inside at once
     */
    public static void rounds(Sync sync, int rounds, Path marker) throws Exception {
        for (int i = 0; i < rounds; i++) {
            sync.acquire();
            try {
                try {
                    Files.createFile(marker);
                } catch (FileAlreadyExistsException e) {
                    throw new AssertionError("round " + i + ": the other process is inside too (" + marker + ")");
                }
                LockSupport.parkNanos(200_000);
                Files.delete(marker);
            } finally {
                sync.release();
            }
        }
    }

    public static void main(String[] args) {
        try {
            java.lang.reflect.Constructor<?> made = Class.forName(args[0]).getDeclaredConstructor();
            made.setAccessible(true);
            SyncContract.Opener opener = (SyncContract.Opener) made.newInstance();
            try (Sync sync = opener.open(args[1])) {
                System.out.println(READY);
                System.out.flush();
                rounds(sync, Integer.parseInt(args[2]), Path.of(args[3]));
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
