package org.ipc4j.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The C floor of a JNA-based mechanism: the same ping-pong written in C (sources in the jar under
 * {@code c/}), compiled with gcc on first use and run as parent + forked child. It reports each round
 * trip; the harness records them in the same kind of histogram.
 */
public final class NativeFloor extends Mechanism {
    private final String program;
    private final int maxSize;
    private final String maxSizeReason;
    private Path binary;
    private String compileError;

    private NativeFloor(String id, String title, String program, boolean data, int maxSize, String maxSizeReason) {
        super(id, title, data ? "yes (kernel)" : "no", data ? "no" : "it is the sync", data ? "both" : "none (signal)",
                "reference: the same round trip in C, the floor for the JNA path");
        this.program = program;
        this.maxSize = maxSize;
        this.maxSizeReason = maxSizeReason;
    }

    /** POSIX message queues ping-pong in C. */
    public static NativeFloor messageQueue(int msgsizeMax) {
        return new NativeFloor("mq-c", "POSIX message queue in C (floor)", "mq_pingpong", true, msgsizeMax,
                "larger than /proc/sys/fs/mqueue/msgsize_max (" + msgsizeMax + ")");
    }

    /** POSIX semaphores ping-pong in C. */
    public static NativeFloor semaphore() {
        return new NativeFloor("sem-c", "POSIX semaphores in C (floor)", "sem_pingpong", false, Integer.MAX_VALUE, "");
    }

    @Override
    public boolean reference() {
        return true;
    }

    @Override
    public boolean carriesData() {
        return program.startsWith("mq");
    }

    @Override
    public String sizeLimit(int size) {
        return size > maxSize ? maxSizeReason : null;
    }

    @Override
    public String throughputLimit() {
        return "latency floor only";
    }

    @Override
    public synchronized String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "the C floors are built for Linux only";
        }
        if (binary == null && compileError == null) {
            compile();
        }
        return compileError;
    }

    private void compile() {
        String gcc = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "gcc"))) {
                gcc = Path.of(dir, "gcc").toString();
                break;
            }
        }
        if (gcc == null) {
            compileError = "gcc not found: the C floor is built at run time";
            return;
        }
        try {
            Path dir = Files.createTempDirectory("ipc4j-bench-c");
            dir.toFile().deleteOnExit();
            Path source = dir.resolve(program + ".c");
            try (InputStream in = NativeFloor.class.getResourceAsStream("/c/" + program + ".c")) {
                if (in == null) {
                    compileError = "C source c/" + program + ".c missing from the class path";
                    return;
                }
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            Path out = dir.resolve(program);
            Process p = new ProcessBuilder(gcc, "-O2", "-o", out.toString(), source.toString(), "-lrt", "-pthread")
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                compileError = "gcc failed on " + program + ".c: " + log.trim();
                return;
            }
            source.toFile().deleteOnExit();
            out.toFile().deleteOnExit();
            binary = out;
        } catch (IOException e) {
            compileError = "could not build the C floor: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            compileError = "interrupted while building the C floor";
        }
    }

    /** Runs one step in C and returns its round trips as a histogram. */
    public Histogram run(Step step, int cpuParent, int cpuChild) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add(String.valueOf(step.warmup()));
        cmd.add(String.valueOf(step.roundTrips()));
        if (carriesData()) {
            cmd.add(String.valueOf(Math.max(1, step.size())));
        }
        cmd.add(String.valueOf(cpuParent));
        cmd.add(String.valueOf(cpuChild));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                h.recordValue(Long.parseLong(line.trim()));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(program + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(program + " exited with " + p.exitValue());
        }
        if (h.getTotalCount() != step.roundTrips()) {
            throw new IOException(program + " reported " + h.getTotalCount() + " round trips, expected " + step.roundTrips());
        }
        return h;
    }

    @Override
    public Setup setUp() {
        throw new UnsupportedOperationException("a C floor runs its own processes");
    }

    @Override
    public Link openChild(String address) {
        throw new UnsupportedOperationException("a C floor runs its own processes");
    }
}
