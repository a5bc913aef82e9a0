package org.ipc4j.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run happened on, as the report states it: figures without it mean little.
 *
 * @param loadAverage the 1-minute load average at the start (other work on the machine skews figures)
 */
public record Machine(int cores, String cpuModel, String jdk, String os, String loadAverage) {

    /** Describes this machine from the JVM's properties and /proc where present. */
    public static Machine current() {
        String cpu = "unknown CPU";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            cpu = System.getProperty("os.arch") + " (CPU model not readable)";
        }
        String load = "n/a";
        try {
            load = Files.readAllLines(Path.of("/proc/loadavg")).get(0).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            // not Linux: left as n/a
        }
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu, jdk, os, load);
    }

    /** One line: {@code 2 cores, AMD EPYC, JDK ..., Linux ...}. */
    public String describe() {
        return cores + " cores, " + cpuModel + "; " + jdk + "; " + os + "; load average " + loadAverage + " at start";
    }
}
