package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** ipc-api alone has no transports: every scheme reports the artifact that provides it. */
class IpcTest {

    @Test
    void aMissingModuleNamesTheArtifactToAdd() {
        assertThatThrownBy(() -> Ipc.open("mq:/jobs")).isInstanceOf(UnsupportedPlatformException.class)
                .hasMessageContaining("org.ipc4j:ipc-mqueue");
        assertThatThrownBy(() -> Ipc.openSync("sem:/lock")).isInstanceOf(UnsupportedPlatformException.class)
                .hasMessageContaining("org.ipc4j:ipc-semaphore");
    }

    @Test
    void anUnknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> Ipc.open("carrier-pigeon:home")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("carrier-pigeon").hasMessageContaining("shm, mq, fifo, unix, tcp, udp, sem");
    }

    @Test
    void capabilitiesCoverEverySchemeWithAReason() {
        assertThat(Ipc.capabilities()).extracting(Capability::scheme)
                .containsExactly("shm", "mq", "fifo", "unix", "tcp", "udp", "sem");
        assertThat(Ipc.capability("udp").supported()).isFalse();
        assertThat(Ipc.capability("udp").reason()).contains("ipc-socket");
    }

    @Test
    void platformIsDetectedFromTheOsName() {
        assertThat(Platform.detect("Linux")).isEqualTo(Platform.LINUX);
        assertThat(Platform.detect("Mac OS X")).isEqualTo(Platform.MAC);
        assertThat(Platform.detect("Windows 11")).isEqualTo(Platform.WINDOWS);
        assertThat(Platform.detect("SunOS")).isEqualTo(Platform.OTHER);
        assertThat(Platform.describe()).contains("Java");
    }
}
