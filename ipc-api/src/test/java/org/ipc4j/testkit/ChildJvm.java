package org.ipc4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a {@code main} class in a fresh JVM with this JVM's test class path, captures its standard output
 * and error (merged), and makes sure it does not outlive the test: {@link #close()} kills it with SIGKILL
 * if it is still running. Use in try-with-resources.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.start(EchoTestApp.class, uri)) {
 *     ...
 *     assertThat(child.waitFor(Duration.ofSeconds(10))).isZero();
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
    /** Options that make a short-lived test JVM start fast and small. */
    public static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final Process process;
    private final String description;
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;

    private ChildJvm(Process process, String description) {
        this.process = process;
        this.description = description;
        this.pump = new Thread(this::pumpOutput, "child-output-" + process.pid());
        this.pump.setDaemon(true);
        this.pump.start();
    }

    /** Starts {@code mainClass} with the given arguments and the {@link #DEFAULT_JVM_OPTIONS}. */
    public static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
        return start(DEFAULT_JVM_OPTIONS, mainClass, args);
    }

    /** Starts {@code mainClass} with the given JVM options and arguments. */
    public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClassPath());
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return new ChildJvm(pb.start(), mainClass.getSimpleName() + " " + String.join(" ", args));
    }

    /**
     * Starts {@code mainClass} like {@link #start(Class, String...)}, but in a PID namespace of its own
     * ({@code unshare --pid --fork --mount-proc --kill-child}): the child is pid 1 there, sees only its own
     * processes in {@code /proc}, and shares everything else (files, {@code /dev/shm}) with this JVM, as two
     * containers sharing a memory volume do. {@link #pid()} is that of {@code unshare}; killing it kills the
     * child ({@code --kill-child}). Check {@link #pidNamespaceUnavailableReason()} first.
     */
    public static ChildJvm startInPidNamespace(Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child"));
        command.add(javaExecutable().toString());
        command.addAll(DEFAULT_JVM_OPTIONS);
        command.add("-cp");
        command.add(testClassPath());
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return new ChildJvm(pb.start(), "(own pid namespace) " + mainClass.getSimpleName() + " " + String.join(" ", args));
    }

    private static String namespaceReason;

    /**
     * Why {@link #startInPidNamespace} cannot work here (no {@code unshare}, or not allowed to make a PID
     * namespace: it needs root or user namespaces), or {@code null} if it can. Tried once per JVM.
     */
    public static synchronized String pidNamespaceUnavailableReason() {
        if (namespaceReason == null) {
            try {
                Process p = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true")
                        .redirectErrorStream(true).start();
                boolean done = p.waitFor(20, TimeUnit.SECONDS);
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                namespaceReason = !done ? "unshare --pid --fork --mount-proc true did not finish within 20 s"
                        : p.exitValue() == 0 ? "" : "unshare --pid --fork --mount-proc true exited with "
                        + p.exitValue() + ": " + out;
                p.destroyForcibly();
            } catch (IOException e) {
                namespaceReason = "unshare (util-linux) cannot be run: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while trying unshare";
            }
        }
        return namespaceReason.isEmpty() ? null : namespaceReason;
    }

    /** The {@code java} launcher of the running JVM. */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The class path of this test run (Surefire and Failsafe expose it; plain runs use java.class.path). */
    public static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return cp;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to exit.
     *
     * @return its exit code
     * @throws AssertionError if it is still running after {@code timeout} (it is then killed), with its output
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            killHard();
            throw new AssertionError("child JVM did not exit within " + timeout + ": " + description
                    + "\n--- its output ---\n" + output());
        }
        pump.join(2000);
        return process.exitValue();
    }

    /**
     * Waits until the child's output contains {@code text}.
     *
     * @throws AssertionError if it does not within {@code timeout}, or the child exits first
     */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (output.indexOf(text) < 0) {
            if (!process.isAlive() && output.indexOf(text) < 0) {
                pump.join(1000);
                if (output.indexOf(text) >= 0) {
                    return;
                }
                throw new AssertionError("child JVM exited with " + process.exitValue() + " before printing \""
                        + text + "\": " + description + "\n--- its output ---\n" + output());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("child JVM did not print \"" + text + "\" within " + timeout + ": "
                        + description + "\n--- its output ---\n" + output());
            }
            Thread.sleep(5);
        }
    }

    /**
     * Kills the child with SIGKILL (kill -9) and waits for it to be gone; its descendants first (the JVM that
     * {@code unshare} started for {@link #startInPidNamespace}), so that when this returns the JVM is dead and
     * the kernel has dropped what it held.
     */
    public void killHard() throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
        for (ProcessHandle d : descendants) {
            try {
                d.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // reaped by its parent already, or stuck: the wait for the child below still bounds this
            }
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Everything the child printed so far, standard output and error merged. */
    public String output() {
        return output.toString();
    }

    /** Kills the child if it is still running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            killHard();
        }
    }

    private void pumpOutput() {
        byte[] buffer = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    @Override
    public String toString() {
        return "ChildJvm[pid " + process.pid() + ", " + description + "]";
    }
}
