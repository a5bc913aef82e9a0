package org.ipc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamedObjectsTest {

    @Test
    void uniqueNamesAreValidAndDistinct() {
        NamedObjects names = new NamedObjects();
        String a = names.unique("averylongprefix");
        String b = names.unique("averylongprefix");
        assertThat(a).isNotEqualTo(b).startsWith("ipc4j-averylon-");
        assertThat(a.length()).isLessThanOrEqualTo(org.ipc4j.api.IpcNames.MAX_LENGTH);
        org.ipc4j.api.IpcNames.validate("test", a);
    }

    @Test
    void cleanupsRunInReverseOrderEvenWhenOneFails() {
        NamedObjects names = new NamedObjects();
        List<String> ran = new ArrayList<>();
        names.onCleanup(() -> ran.add("first"));
        names.onCleanup(() -> {
            throw new IllegalStateException("boom");
        });
        names.onCleanup(() -> ran.add("last"));
        assertThatThrownBy(() -> names.afterEach(null)).hasMessage("boom");
        assertThat(ran).containsExactly("last", "first");
    }

    @Test
    void aLeakedKernelObjectFailsTheTestAndIsRemoved() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "Linux /dev/shm");
        NamedObjects names = new NamedObjects();
        Path leaked = Path.of("/dev/shm", names.unique("leak"));
        Files.createFile(leaked);
        assertThatThrownBy(() -> names.afterEach(null)).isInstanceOf(AssertionError.class)
                .hasMessageContaining(leaked.toString());
        assertThat(leaked).doesNotExist();
    }
}
