package org.ipc4j.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The idle phase, run by both processes after the last step: what a waiting end costs while nothing
 * arrives, and how long the first message after a pause takes.
 *
 * <ol>
 *   <li>One round trip to line the two up; then the parent sleeps {@code idleMillis} while the child is
 *       blocked in {@code receive}. The child measures the CPU time of its waiting thread
 *       ({@link ThreadMXBean#getCurrentThreadCpuTime()}) and of its whole process across that receive:
 *       the cost of one idle waiting end, in % of a core.</li>
 *   <li>For each gap: {@code count} times, the parent sleeps the gap, then times one round trip. The child
 *       was waiting in {@code receive} all along, as a server between requests does.</li>
 * </ol>
 *
 * @param idleMillis how long the child waits for the idle measurement
 * @param gapMillis the pauses before a timed round trip
 * @param gapCounts round trips timed per pause
 */
public record Idle(int idleMillis, List<Integer> gapMillis, List<Integer> gapCounts) {

    public Idle {
        gapMillis = List.copyOf(gapMillis);
        gapCounts = List.copyOf(gapCounts);
        if (idleMillis <= 0 || gapMillis.size() != gapCounts.size()
                || gapMillis.stream().anyMatch(g -> g <= 0) || gapCounts.stream().anyMatch(c -> c <= 0)) {
            throw new IllegalArgumentException("bad idle plan " + idleMillis + " " + gapMillis + " " + gapCounts);
        }
    }

    /** The default: 1 s idle; 20 round trips after 10 and after 20 ms, 5 after 100 ms (about 2.1 s). */
    public static Idle standard() {
        return new Idle(1000, List.of(10, 20, 100), List.of(20, 20, 5));
    }

    /** The quick mode's: 200 ms idle; 3, 3 and 1 round trips (about 0.4 s). */
    public static Idle quick() {
        return new Idle(200, List.of(10, 20, 100), List.of(3, 3, 1));
    }

    /** Wall time the phase takes at least, in milliseconds. */
    public long millis() {
        long ms = idleMillis;
        for (int i = 0; i < gapMillis.size(); i++) {
            ms += (long) gapMillis.get(i) * gapCounts.get(i);
        }
        return ms;
    }

    /** {@code idle;gap:count;...} for the child's command line. */
    public String encode() {
        StringBuilder sb = new StringBuilder().append(idleMillis);
        for (int i = 0; i < gapMillis.size(); i++) {
            sb.append(';').append(gapMillis.get(i)).append(':').append(gapCounts.get(i));
        }
        return sb.toString();
    }

    /** The inverse of {@link #encode()}. */
    public static Idle decode(String text) {
        String[] parts = text.split(";");
        List<Integer> gaps = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String[] gc = parts[i].split(":");
            if (gc.length != 2) {
                throw new IllegalArgumentException("bad idle plan \"" + text + "\"");
            }
            gaps.add(Integer.parseInt(gc[0]));
            counts.add(Integer.parseInt(gc[1]));
        }
        return new Idle(Integer.parseInt(parts[0]), gaps, counts);
    }

    /**
     * What the child measured across its idle wait.
     *
     * @param threadCpuNanos CPU time of the waiting thread
     * @param processCpuNanos CPU time of the whole child process (JIT, GC and every helper thread included)
     * @param wallNanos how long the wait lasted
     */
    public record Cost(long threadCpuNanos, long processCpuNanos, long wallNanos) {
        /** The waiting thread's CPU in % of one core. */
        public double threadPercent() {
            return 100.0 * threadCpuNanos / wallNanos;
        }

        /** The whole process's CPU in % of one core. */
        public double processPercent() {
            return processCpuNanos < 0 ? Double.NaN : 100.0 * processCpuNanos / wallNanos;
        }

        String encode() {
            return threadCpuNanos + " " + processCpuNanos + " " + wallNanos;
        }

        static Cost decode(String text) {
            String[] f = text.trim().split(" ");
            return new Cost(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        }
    }

    /** Parent side: returns one histogram of round trips per gap, in the order of {@link #gapMillis()}. */
    public List<Histogram> parent(Link link, int size, Runnable progress) throws Exception {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.max(size, Driver.ACK));
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(size, Driver.ACK));
        roundTrip(link, out, in, size);
        Thread.sleep(idleMillis);
        roundTrip(link, out, in, size);
        progress.run();
        List<Histogram> result = new ArrayList<>();
        for (int g = 0; g < gapMillis.size(); g++) {
            Histogram h = new Histogram(3_600_000_000_000L, 3);
            for (int i = 0; i < gapCounts.get(g); i++) {
                Thread.sleep(gapMillis.get(g));
                h.recordValue(roundTrip(link, out, in, size));
                progress.run();
            }
            result.add(h);
        }
        return result;
    }

    private static long roundTrip(Link link, ByteBuffer out, ByteBuffer in, int size) throws Exception {
        out.clear().limit(size);
        in.clear();
        long t0 = System.nanoTime();
        link.send(out);
        link.receive(in);
        return System.nanoTime() - t0;
    }

    /** Child side: echoes every message of the phase and writes its {@link Cost} to {@code result}. */
    public void child(Link link, int size, Path result) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(size, Driver.ACK));
        echo(link, buffer);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // Both clocks once before measuring: their first use loads classes, on this thread.
        threads.getCurrentThreadCpuTime();
        processCpuNanos();
        long process0 = processCpuNanos();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        buffer.clear();
        link.receive(buffer);
        long t1 = System.nanoTime();
        long cpu1 = threads.getCurrentThreadCpuTime();
        long process1 = processCpuNanos();
        buffer.flip();
        link.send(buffer);
        Cost cost = new Cost(cpu1 - cpu0, process0 < 0 || process1 < 0 ? -1 : process1 - process0, t1 - t0);
        Files.writeString(result, cost.encode(), StandardCharsets.US_ASCII);
        for (int count : gapCounts) {
            for (int i = 0; i < count; i++) {
                echo(link, buffer);
            }
        }
    }

    private static void echo(Link link, ByteBuffer buffer) throws Exception {
        buffer.clear();
        link.receive(buffer);
        buffer.flip();
        link.send(buffer);
    }

    /**
     * This process's CPU time in nanoseconds: on Linux the sum of every thread's time on a CPU from
     * {@code /proc/self/task/*}{@code /schedstat} (nanoseconds, JIT and GC threads included; the JDK's own
     * figure counts in clock ticks of 10 ms); elsewhere the JDK's figure; -1 when neither is there.
     */
    static long processCpuNanos() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            long sum = 0;
            for (Path task : tasks) {
                try {
                    sum += Long.parseLong(Files.readAllLines(task.resolve("schedstat")).get(0).split(" ")[0]);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return -1;
        }
    }

    /** Reads what the child wrote; null when it wrote nothing (it failed first). */
    static Cost readCost(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return null;
        }
        return Cost.decode(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /** A CPU share as "3.0%", "0.02%" or "&lt;0.01%"; "n/a" for NaN. */
    public static String percent(double p) {
        if (Double.isNaN(p)) {
            return "n/a";
        }
        if (p < 0.01) {
            return "<0.01%";
        }
        return String.format(Locale.ROOT, p < 1 ? "%.2f%%" : p < 10 ? "%.1f%%" : "%.0f%%", p);
    }
}
