package org.ipc4j.shm.internal;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Prepares Chronicle Bytes for use without JVM flags. Must run before the first Chronicle class loads.
 *
 * <p>Chronicle's service loader instantiates every {@code ByteBufferCleanerService} it finds, and the
 * reflection-based one warns through {@code java.util.logging} that it needs {@code --add-exports}. ipc4j
 * never asks Chronicle to free memory (the JDK unmaps a mapping when it is unreachable), so the warning is
 * noise. Its logger is raised to SEVERE unless the application configured that logger itself. The logger
 * is held here because java.util.logging keeps loggers only weakly.
 */
public final class ChronicleSupport {
    /** The one Chronicle logger whose start-up warning ipc4j silences. */
    public static final String CLEANER_LOGGER =
            "net.openhft.chronicle.core.internal.cleaner.ReflectionBasedByteBufferCleanerService";

    private static final Logger CLEANER = Logger.getLogger(CLEANER_LOGGER);

    static {
        if (CLEANER.getLevel() == null && !Boolean.getBoolean("ipc4j.shm.chronicleWarnings")) {
            CLEANER.setLevel(Level.SEVERE);
        }
    }

    private ChronicleSupport() {
    }

    /** Runs the static initialiser (idempotent, cheap). */
    public static void init() {
        // the work is done once, in the static initialiser
    }
}
