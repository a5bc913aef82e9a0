package org.ipc4j.pipe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * Reads a child's standard error ({@link StderrTarget#log()}) on a daemon thread, so that the pipe never fills
 * up and stalls the child, and never loses a line: each goes to the SLF4J logger at INFO, or, when that logger
 * would drop it (no SLF4J binding, or INFO off for it), to this process's standard error as the child wrote
 * it, exactly as {@link StderrTarget#inherit()} would. The last lines are kept for the message of the
 * {@link org.ipc4j.api.PeerGoneException} that reports the child's death.
 */
final class ChildStderr {
    /** How many of the last lines a death report quotes, and how long each may be. */
    static final int TAIL_LINES = 20;
    static final int MAX_LINE_CHARS = 300;

    private final Process process;
    private final String description;
    private final Logger log;
    private final PrintStream inherited;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread pump;

    ChildStderr(Process process, String description, Logger log) {
        this.process = process;
        this.description = description;
        this.log = log;
        this.inherited = System.err;
        this.pump = new Thread(this::run, "ipc4j-child-stderr " + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    private void run() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                remember(line);
                if (log.isInfoEnabled()) {
                    log.info("[{} pid {}] {}", description, process.pid(), line);
                } else {
                    inherited.println(line);
                }
            }
        } catch (IOException e) {
            // the stream closes when the child exits
        }
    }

    private void remember(String line) {
        String kept = line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS) + "...";
        synchronized (tail) {
            if (tail.size() == TAIL_LINES) {
                tail.removeFirst();
            }
            tail.addLast(kept);
        }
    }

    /**
     * The last lines the child wrote, oldest first. Once the child has exited its standard error ends as soon
     * as it is read to the end: this waits up to {@code drain} for that, so the lines it wrote just before
     * dying are there (a grandchild that keeps the pipe open only costs the wait).
     */
    List<String> tail(Duration drain) {
        if (!process.isAlive()) {
            try {
                pump.join(Math.max(1, drain.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (tail) {
            return new ArrayList<>(tail);
        }
    }
}
