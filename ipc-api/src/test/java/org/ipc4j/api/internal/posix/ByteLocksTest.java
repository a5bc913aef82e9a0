package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.PermissionDeniedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Open-file-description byte locks: per endpoint, not per process; a probe is answered for its own locks too. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ByteLocksTest {
    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(ByteLocks.unavailableReason() == null, () -> "skipped: " + ByteLocks.unavailableReason());
        file = Files.createFile(dir.resolve("locks"));
    }

    @Test
    void twoEndpointsOfOneProcessExcludeEachOtherAndCloseDropsTheLocks() throws Exception {
        try (ByteLocks one = ByteLocks.open(file, null, "test"); ByteLocks two = ByteLocks.open(file, null, "test")) {
            assertThat(one.held(5)).isFalse();
            assertThat(one.tryHold(5)).isTrue();
            assertThat(one.tryHold(5)).as("again: idempotent").isTrue();
            assertThat(one.holds(5)).isTrue();
            assertThat(one.held(5)).as("its own lock, through its probe descriptor").isTrue();
            assertThat(two.held(5)).isTrue();
            assertThat(two.tryHold(5)).as("another endpoint of the same process").isFalse();
            assertThat(two.tryHold(6)).as("a neighbouring byte is another lock").isTrue();
            assertThat(one.held(6)).isTrue();
            // a third descriptor of the file, opened and closed: classic locks would all be gone now
            Files.readAllBytes(file);
            assertThat(two.held(5)).isTrue();
            one.release(5);
            one.release(5);
            assertThat(two.held(5)).isFalse();
            assertThat(one.tryHold(5)).isTrue();
            one.close();
            one.close();
            assertThat(two.held(5)).as("closing drops the locks").isFalse();
            assertThat(one.held(5)).as("a closed instance cannot tell, and says held").isTrue();
            assertThatThrownBy(() -> one.tryHold(5)).hasMessageContaining("closed");
        }
    }

    @Test
    void badFilesAreClearErrors() throws Exception {
        assertThatThrownBy(() -> ByteLocks.open(dir.resolve("missing"), null, "test"))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("missing");
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        assertThatThrownBy(() -> ByteLocks.open(link, null, "test"))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("symbolic link");
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        Files.move(file, dir.resolve("old")); // kept, so that the new file cannot get its inode number
        Files.createFile(file);
        assertThatThrownBy(() -> ByteLocks.open(file, key, "test"))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("replaced");
        assertThatThrownBy(() -> ByteLocks.open(dir, null, "test")).hasMessageContaining("open");
        try (ByteLocks locks = ByteLocks.open(file, null, "test")) {
            assertThatThrownBy(() -> locks.tryHold(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
