package org.ipc4j.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts the parent and the child on separate cores with {@code taskset} (util-linux) when it exists and at
 * least two cores are allowed; otherwise says why not, and the report prints that.
 */
public final class Pinning {
    private Pinning() {
    }

    /** The CPUs this process may run on, from /proc/self/status; empty when unknown. */
    public static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseList(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return List.of();
    }

    /** Parses a kernel CPU list such as {@code 0-3,6}. */
    public static List<Integer> parseList(String text) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                cpus.add(Integer.parseInt(p));
            } else {
                for (int c = Integer.parseInt(p.substring(0, dash)); c <= Integer.parseInt(p.substring(dash + 1)); c++) {
                    cpus.add(c);
                }
            }
        }
        return cpus;
    }

    /** The taskset executable, or null. */
    public static String taskset() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "taskset");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Why pinning cannot be done here, or null when it can. */
    public static String unavailableReason() {
        if (taskset() == null) {
            return "taskset not found (install util-linux)";
        }
        if (allowedCpus().size() < 2) {
            return "fewer than 2 CPUs allowed for this process";
        }
        return null;
    }

    /** Sets the affinity of every thread of this process; true on success. */
    public static boolean pinSelf(String cpuList) {
        String taskset = taskset();
        if (taskset == null) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(taskset, "-a", "-p", "-c", cpuList, String.valueOf(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Formats a CPU list back for taskset. */
    public static String format(List<Integer> cpus) {
        StringBuilder sb = new StringBuilder();
        for (int c : cpus) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
