package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * One thing the comparison measures: an ipc4j transport or a reference. Describes itself for the table
 * (the textbook's columns) and says which sizes and phases it can run, with the reason when it cannot.
 */
public abstract class Mechanism {
    private final String id;
    private final String title;
    private final String sharesData;
    private final String needsSync;
    private final String direction;
    private final String typicalUse;

    protected Mechanism(String id, String title, String sharesData, String needsSync, String direction,
            String typicalUse) {
        this.id = id;
        this.title = title;
        this.sharesData = sharesData;
        this.needsSync = needsSync;
        this.direction = direction;
        this.typicalUse = typicalUse;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String sharesData() {
        return sharesData;
    }

    public String needsSync() {
        return needsSync;
    }

    public String direction() {
        return direction;
    }

    public String typicalUse() {
        return typicalUse;
    }

    /** Whether a reference (not an ipc4j transport). */
    public boolean reference() {
        return false;
    }

    /** Whether messages carry bytes; a signal-only mechanism is measured once, at size 0. */
    public boolean carriesData() {
        return true;
    }

    /** Why this mechanism cannot run here, or null when it can. */
    public abstract String unavailableReason();

    /** Why messages of {@code size} bytes cannot be carried, or null when they can. */
    public String sizeLimit(int size) {
        return null;
    }

    /** Why there is no throughput phase, or null when there is one. */
    public String throughputLimit() {
        return null;
    }

    /** Acknowledgement window of the throughput phase for a message size. */
    public int window(int size) {
        return Math.max(1, Math.min(1024, (1 << 20) / Math.max(size, 1)));
    }

    /** Parent-side set-up of fresh named objects; the result tells the child where to go. */
    public abstract Setup setUp() throws Exception;

    /** Child side: opens the other end from the address the parent's {@link Setup} gave. */
    public abstract Link openChild(String address) throws Exception;

    /** The parent's side of one run. Closing it removes every named object it created. */
    public interface Setup extends AutoCloseable {
        /** The address the child opens (passed on its command line). */
        String childAddress();

        /** Opens the parent's end; may block until the child has opened its end. */
        Link openParent() throws Exception;

        /**
         * Starts the child JVM with this command; a mechanism that owns the child's standard streams (the
         * anonymous pipe) overrides this and hands its channel to {@link #openParent()}.
         */
        default Process startChild(ChildSpec spec) throws Exception {
            return new ProcessBuilder(spec.command()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }

        @Override
        void close();
    }

    /** How to start the child JVM: the same java, the parent's class path, the child main and its arguments. */
    public record ChildSpec(String java, List<String> jvmOptions, String classPath, String mainClass,
            List<String> args) {
        /** The full command line. */
        public List<String> command() {
            List<String> c = new ArrayList<>();
            c.add(java);
            c.addAll(jvmOptions);
            c.add("-cp");
            c.add(classPath);
            c.add(mainClass);
            c.addAll(args);
            return c;
        }
    }
}
