package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.Sync;
import org.ipc4j.api.internal.FileModes;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code sem:} addresses through the ServiceLoader SPI. */
@Timeout(30)
class SemaphoreUriTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void openSyncGivesANamedSemaphoreWithTheInitialCount() throws Exception {
        String name = names.unique("uri");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        try (Sync s = Ipc.openSync("sem:/" + name + "?initial=2");
                Sync same = Ipc.openSync("sem:" + name + "?mode=open")) {
            assertThat(s).isInstanceOf(NamedSemaphore.class);
            assertThat(((NamedSemaphore) same).value()).isEqualTo(2);
            assertThat(same.tryAcquire()).isTrue();
            assertThat(s.tryAcquire(Duration.ofMillis(10))).isTrue();
            assertThat(s.tryAcquire()).isFalse();
        }
        try (Sync s = Ipc.openSync("sem:/" + name + "?mode=open&unlink=true")) {
            assertThat(((NamedSemaphore) s).value()).isZero();
        }
        assertThat(Path.of("/dev/shm/sem." + name)).doesNotExist();
    }

    @Test
    void badAddressesAreRejectedClearly() {
        String name = names.unique("baduri");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?intial=1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intial").hasMessageContaining("initial");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?initial=2147483648"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SEM_VALUE_MAX");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?mode=sometimes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sometimes");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?perm=rw"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("octal");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?perm=0700"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read/write bits");
        // The old per-scheme names are gone: one vocabulary for every address, and misspellings are errors.
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?permissions=0600"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permissions").hasMessageContaining("perm");
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?unlinkOnClose=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unlinkOnClose").hasMessageContaining("unlink");
        assertThatThrownBy(() -> Ipc.openSync("sem:/a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipc.openSync("sem:/" + name + "?mode=open")).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> Ipc.open("sem:/" + name)).hasMessageContaining("Ipc.openSync");
        assertThat(Files.exists(Path.of("/dev/shm/sem." + name))).isFalse();
    }

    @Test
    void permSetsTheModeOfANewSemaphore() throws Exception {
        String name = names.unique("uriperm");
        names.onCleanup(() -> NamedSemaphore.unlink(name));
        int umask = Integer.parseInt(Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Umask:")).findFirst().orElse("Umask: 0022").substring(6).trim(), 8);
        try (Sync s = Ipc.openSync("sem:" + name + "?mode=create&perm=0640&initial=0")) {
            assertThat(((NamedSemaphore) s).value()).isZero();
            assertThat(FileModes.toMode(Files.getPosixFilePermissions(Path.of("/dev/shm/sem." + name))))
                    .isEqualTo(0640 & ~umask);
        }
    }

    @Test
    void capabilitiesListTheSemaphore() {
        assertThat(Ipc.capability("sem").supported()).isTrue();
        assertThat(Ipc.capability("sem").artifact()).isEqualTo("org.ipc4j:ipc-semaphore");
    }
}
