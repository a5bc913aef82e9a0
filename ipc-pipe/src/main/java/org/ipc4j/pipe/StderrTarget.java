package org.ipc4j.pipe;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a child process's standard error goes. The default, {@link #log()}, reads it line by line on a
 * background thread and logs each line through SLF4J (logger {@code org.ipc4j.pipe.child}, level INFO,
 * prefixed with the child's name and pid), so nothing the child prints is lost and the pipe never fills up
 * and stalls the child.
 */
public final class StderrTarget {
    enum Kind { LOG, INHERIT, FILE, DISCARD }

    private final Kind kind;
    private final String loggerName;
    private final Path file;

    private StderrTarget(Kind kind, String loggerName, Path file) {
        this.kind = kind;
        this.loggerName = loggerName;
        this.file = file;
    }

    /** Each line is logged at INFO to the SLF4J logger {@code org.ipc4j.pipe.child}. */
    public static StderrTarget log() {
        return log("org.ipc4j.pipe.child");
    }

    /** Each line is logged at INFO to the named SLF4J logger. */
    public static StderrTarget log(String loggerName) {
        return new StderrTarget(Kind.LOG, Objects.requireNonNull(loggerName, "loggerName"), null);
    }

    /** The child writes to this process's own standard error. */
    public static StderrTarget inherit() {
        return new StderrTarget(Kind.INHERIT, null, null);
    }

    /** The child appends to {@code file}, which is created if missing. */
    public static StderrTarget file(Path file) {
        return new StderrTarget(Kind.FILE, null, Objects.requireNonNull(file, "file"));
    }

    /** The child's standard error is thrown away. */
    public static StderrTarget discard() {
        return new StderrTarget(Kind.DISCARD, null, null);
    }

    Kind kind() {
        return kind;
    }

    String loggerName() {
        return loggerName;
    }

    Path file() {
        return file;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LOG -> "log(" + loggerName + ")";
            case FILE -> "file(" + file + ")";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + "()";
        };
    }
}
