package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.ipc4j.shm.internal.RegionFiles;
import org.ipc4j.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared memory in a JVM without JNA (a user who excluded it): a clear {@link org.ipc4j.api.UnsupportedPlatformException}
 * naming the missing jar, never a linkage error, and no region or temporary file left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedMemoryWithoutJnaTest {
    @TempDir
    Path dir;

    @Test
    void withoutJnaOpeningSaysWhyAndLeavesNothing() throws Exception {
        String classPath = Arrays.stream(ChildJvm.testClassPath().split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("jna"))
                .collect(Collectors.joining(File.pathSeparator));
        assertThat(classPath).doesNotContain("jna-");
        List<String> command = List.of(ChildJvm.javaExecutable().toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-D" + RegionFiles.DIR_PROPERTY + "=" + dir, "-cp", classPath, NoJnaTestApp.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK").doesNotContain("LinkageError").doesNotContain("NoClassDefFoundError");
        try (var entries = Files.list(dir)) {
            assertThat(entries).isEmpty();
        }
    }
}
