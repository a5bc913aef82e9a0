package org.ipc4j.bench.harness;

import java.util.List;
import java.util.Map;

/**
 * How the reports show a mechanism: a short display name (never the id), its role (an ipc4j transport, a
 * variant of one, or a reference), and a colour. Colours are fixed per mechanism and chosen so that the
 * mechanisms drawn together in one chart of the HTML report all differ.
 */
public final class Display {
    /** An ipc4j transport in its plain form: what the recommendation chooses from. */
    public static final String TRANSPORT = "transport";
    /** Another form of a transport (another wait strategy, the byte[] receive). */
    public static final String VARIANT = "variant";
    /** Not ipc4j: a floor or another library, for comparison. */
    public static final String REFERENCE = "reference";

    private record Look(String name, String role, String color) {
    }

    private static final Map<String, Look> LOOKS = Map.ofEntries(
            Map.entry("shm", new Look("shared memory", TRANSPORT, "#1f77b4")),
            Map.entry("unix", new Look("Unix socket", TRANSPORT, "#ff7f0e")),
            Map.entry("tcp", new Look("TCP", TRANSPORT, "#2ca02c")),
            Map.entry("udp", new Look("UDP", TRANSPORT, "#e377c2")),
            Map.entry("pipe", new Look("pipe to a child", TRANSPORT, "#17becf")),
            Map.entry("fifo", new Look("FIFO", TRANSPORT, "#d62728")),
            Map.entry("mq", new Look("message queue", TRANSPORT, "#9467bd")),
            Map.entry("sem", new Look("semaphores", TRANSPORT, "#8c564b")),
            Map.entry("shm-spin", new Look("shared memory, spin", VARIANT, "#ff7f0e")),
            Map.entry("shm-bytes", new Look("shared memory, byte[]", VARIANT, "#2ca02c")),
            Map.entry("unix-bytes", new Look("Unix socket, byte[]", VARIANT, "#d62728")),
            Map.entry("cacheline", new Look("cache-line floor", REFERENCE, "#7f7f7f")),
            Map.entry("agrona", new Look("Agrona ring", REFERENCE, "#000000")),
            Map.entry("mq-c", new Look("message queue in C", REFERENCE, "#d62728")),
            Map.entry("sem-c", new Look("semaphores in C", REFERENCE, "#17becf")));

    /** The charts that compare a few mechanisms: title, then ids (the HTML report draws these). */
    public static final List<List<String>> COMPARISONS = List.of(
            List.of("Shared memory against the references", "shm", "shm-spin", "shm-bytes", "agrona", "cacheline"),
            List.of("JNA against the same calls in C", "mq", "mq-c", "sem", "sem-c"),
            List.of("byte[] receive against ByteBuffer", "shm", "shm-bytes", "unix", "unix-bytes"));

    private Display() {
    }

    /** The display name of a mechanism; {@code fallback} (its title) for one this class does not know. */
    public static String name(String id, String fallback) {
        Look l = LOOKS.get(id);
        return l != null ? l.name() : fallback;
    }

    /** {@link #TRANSPORT}, {@link #VARIANT} or {@link #REFERENCE}. */
    public static String role(String id, boolean reference) {
        Look l = LOOKS.get(id);
        return l != null ? l.role() : reference ? REFERENCE : VARIANT;
    }

    /** The chart colour of a mechanism (CSS hex). */
    public static String color(String id) {
        Look l = LOOKS.get(id);
        return l != null ? l.color() : "#bcbd22";
    }
}
