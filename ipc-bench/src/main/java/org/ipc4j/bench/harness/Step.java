package org.ipc4j.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * One message size of a run, as both processes execute it: {@code warmup} round trips that are not
 * recorded, {@code roundTrips} that are, then {@code messages} one-way messages (a quarter of them first as
 * an unrecorded warm-up) sent with at most {@code 2 * window} unacknowledged.
 *
 * @param size message size in bytes (0 for a mechanism that carries no data)
 * @param warmup unrecorded round trips before measuring
 * @param roundTrips recorded round trips
 * @param messages one-way messages timed for throughput (0 = no throughput phase)
 * @param window the receiver acknowledges every {@code window} messages
 */
public record Step(int size, int warmup, int roundTrips, int messages, int window) {

    public Step {
        if (size < 0 || warmup < 0 || roundTrips <= 0 || messages < 0 || window <= 0) {
            throw new IllegalArgumentException("bad step " + size + ":" + warmup + ":" + roundTrips + ":" + messages + ":" + window);
        }
    }

    /** Warm-up messages sent before the timed throughput messages. */
    public int throughputWarmup() {
        return messages / 4;
    }

    /** Encodes steps for the child's command line: {@code size:warmup:rt:messages:window,...}. */
    public static String encode(List<Step> steps) {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s.size).append(':').append(s.warmup).append(':').append(s.roundTrips).append(':')
                    .append(s.messages).append(':').append(s.window);
        }
        return sb.toString();
    }

    /** The inverse of {@link #encode}. */
    public static List<Step> decode(String text) {
        List<Step> steps = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] f = part.split(":");
            if (f.length != 5) {
                throw new IllegalArgumentException("bad step \"" + part + "\" in \"" + text + "\"");
            }
            steps.add(new Step(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), Integer.parseInt(f[4])));
        }
        return steps;
    }
}
