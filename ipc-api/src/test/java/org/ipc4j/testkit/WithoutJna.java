package org.ipc4j.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A {@code main} run in a fresh JVM whose class path is this test run's without JNA (what a user who leaves
 * it out has), and the checks such a main makes: it must end with exit 0, and a linkage error anywhere ends
 * it with a stack trace and exit 1.
 */
public final class WithoutJna {
    /** What the child printed and how it ended. */
    public record Result(int exitCode, String output) {
    }

    private WithoutJna() {
    }

    /** The test class path without any {@code jna*} entry. */
    public static String classPath() {
        return Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("jna"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Runs {@code mainClass} on {@link #classPath()} with a small heap and {@code jvmOptions}, and waits for it
     * (at most 30 seconds, then it is killed). Its output goes to a file, so a child that hangs cannot hang
     * the caller on a pipe.
     */
    public static Result run(Class<?> mainClass, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ChildJvm.javaExecutable().toString(), "-Xmx64m",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(Arrays.asList(jvmOptions));
        command.addAll(List.of("-cp", classPath(), mainClass.getName()));
        Path log = Files.createTempFile("ipc4j-without-jna", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n(killed after 30 s)");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** For the child: whether JNA can be loaded here (it must not). */
    public static boolean jnaLoadable() {
        try {
            Class.forName("com.sun.jna.Native", false, WithoutJna.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** For the child: prints {@code FAILED: what} and exits 1 unless {@code condition}. */
    public static void check(boolean condition, String what) {
        if (!condition) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
