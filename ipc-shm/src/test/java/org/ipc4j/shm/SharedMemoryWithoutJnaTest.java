package org.ipc4j.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.shm.internal.RegionFiles;
import org.ipc4j.testkit.WithoutJna;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared memory in a JVM without JNA (a user who excluded it): a clear
 * {@link org.ipc4j.api.UnsupportedPlatformException} naming the missing jar, never a linkage error, and no
 * region or temporary file left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedMemoryWithoutJnaTest {
    @TempDir
    Path dir;

    @Test
    void withoutJnaOpeningSaysWhyAndLeavesNothing() throws Exception {
        WithoutJna.Result child = WithoutJna.run(NoJnaTestApp.class, "-D" + RegionFiles.DIR_PROPERTY + "=" + dir);
        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.output()).contains("OK").doesNotContain("LinkageError").doesNotContain("NoClassDefFoundError");
        try (var entries = Files.list(dir)) {
            assertThat(entries).isEmpty();
        }
    }
}
