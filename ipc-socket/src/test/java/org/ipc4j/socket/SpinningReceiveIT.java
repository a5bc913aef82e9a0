package org.ipc4j.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The optional polling receive ({@code org.ipc4j.socket.spinMicros}, off by default) keeps every waiting rule.
 * The property is read once per JVM, hence a child JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpinningReceiveIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void pollingReceiveDeliversInOrderTimesOutAndIsWokenByClose() throws Exception {
        Path path = names.uniquePath("spin", ".sock");
        List<String> options = new ArrayList<>(ChildJvm.DEFAULT_JVM_OPTIONS);
        options.add("-Dorg.ipc4j.socket.spinMicros=50");
        try (ChildJvm child = ChildJvm.start(options, SpinningReceiveTestApp.class, path.toString())) {
            assertThat(child.waitFor(Duration.ofSeconds(50))).as("exit code\n" + child.output()).isZero();
            assertThat(child.output()).contains("OK");
        }
    }

    @Test
    void pollingIsOffByDefault() {
        assertThat(DirectReceiver.SPIN_NANOS).isZero();
    }
}
