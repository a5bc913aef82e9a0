package org.ipc4j.mqueue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds the small C programs of src/test/c with gcc into target/c at test time, and runs them. */
final class CPrograms {
    private CPrograms() {
    }

    static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Compiles src/test/c/NAME.c to target/c/NAME (once per JVM); skips the test if gcc is missing. */
    static synchronized Path build(String name) throws Exception {
        assumeTrue(gccAvailable(), "gcc is not installed: the C peer tests need it");
        Path source = Path.of("src", "test", "c", name + ".c");
        Path binary = Path.of("target", "c", name);
        if (Files.isExecutable(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return binary;
        }
        Files.createDirectories(binary.getParent());
        Result r = run(List.of("gcc", "-Wall", "-Werror", "-O2", "-o", binary.toString(), source.toString(), "-lrt"));
        if (r.exitCode != 0) {
            throw new AssertionError("gcc failed for " + source + ":\n" + r.output);
        }
        return binary;
    }

    record Result(int exitCode, String output, String error) {
    }

    static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).start();
    }

    static List<String> command(Path binary, String... args) {
        List<String> c = new ArrayList<>();
        c.add(binary.toAbsolutePath().toString());
        c.addAll(List.of(args));
        return c;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
