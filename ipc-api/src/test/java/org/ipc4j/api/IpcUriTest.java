package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpcUriTest {

    @Test
    void parsesEveryDocumentedForm() {
        IpcUri shm = IpcUri.parse("shm:orders?capacity=1m");
        assertThat(shm.scheme()).isEqualTo("shm");
        assertThat(shm.target()).isEqualTo("orders");
        assertThat(shm.size("capacity", 0)).isEqualTo(1 << 20);
        IpcUri mq = IpcUri.parse("mq:/jobs?maxmsg=64&msgsize=1024");
        assertThat(mq.target()).isEqualTo("/jobs");
        assertThat(mq.integer("maxmsg", 0)).isEqualTo(64);
        assertThat(mq.size("msgsize", 0)).isEqualTo(1024);
        assertThat(IpcUri.parse("tcp://127.0.0.1:7000").target()).isEqualTo("127.0.0.1:7000");
        assertThat(IpcUri.parse("unix:/run/app.sock").target()).isEqualTo("/run/app.sock");
        assertThat(IpcUri.parse("SEM:/lock?initial=1").scheme()).isEqualTo("sem");
    }

    @Test
    void typedParametersAndDefaults() {
        IpcUri u = IpcUri.parse("x:t?a=64k&b=2g&c=250ms&d=5s&flag&e=false");
        assertThat(u.size("a", 0)).isEqualTo(65536);
        assertThat(u.size("b", 0)).isEqualTo(2L << 30);
        assertThat(u.duration("c", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(u.duration("d", null)).isEqualTo(Duration.ofSeconds(5));
        assertThat(u.bool("flag", false)).isTrue();
        assertThat(u.bool("e", true)).isFalse();
        assertThat(u.integer("missing", 9)).isEqualTo(9);
    }

    @Test
    void badAddressesAndValuesSayWhatIsWrong() {
        assertThatThrownBy(() -> IpcUri.parse("no-scheme")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme:target");
        assertThatThrownBy(() -> IpcUri.parse("shm:")).hasMessageContaining("no target");
        assertThatThrownBy(() -> IpcUri.parse("shm:x?a=1&a=2")).hasMessageContaining("repeats");
        assertThatThrownBy(() -> IpcUri.parse("shm:x?capacity=lots").size("capacity", 0))
                .hasMessageContaining("capacity=lots");
        assertThatThrownBy(() -> IpcUri.parse("shm:x?capacity=99999999999999999999g").size("capacity", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpcUri.parse("shm:x?capcity=1m").requireOnly(Set.of("capacity")))
                .hasMessageContaining("capcity").hasMessageContaining("capacity");
    }
}
