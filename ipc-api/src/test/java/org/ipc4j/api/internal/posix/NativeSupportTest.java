package org.ipc4j.api.internal.posix;

import org.ipc4j.api.internal.FileModes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Platform;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.ipc4j.testkit.WithoutJna;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Capability probing: reasons instead of linkage errors, with and without JNA. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NativeSupportTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @Test
    void everyBindingWorksOnThisLinuxMachine() throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "tested on Linux");
        for (NativeSupport.Binding b : NativeSupport.Binding.values()) {
            assertThat(NativeSupport.unavailableReason(b)).as(b.name()).isNull();
            assertThat(NativeSupport.isAvailable(b)).isTrue();
            NativeSupport.require(b, "tests");
        }
    }

    /** JNA alone (what a mapped buffer's address needs) is a separate question from the C library's bindings. */
    @Test
    void jnaIsUsableHereAndRequireJnaPasses() throws Exception {
        assertThat(NativeSupport.jnaUnavailableReason()).isNull();
        NativeSupport.requireJna("tests");
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(64);
        assertThat(Scratch.directAddress(direct)).isNotZero().isEqualTo(Scratch.get().addressOf(direct));
    }

    /** Bindings are bound lazily, per mechanism: a process that uses semaphores never loads the mq or epoll ones. */
    @Test
    void usingSemaphoresLoadsNoOtherMechanismsBindings() throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "tested on Linux");
        String name = "/" + names.unique("semonly");
        names.onCleanup(() -> SemCalls.sem_unlink(name));
        List<String> options = new ArrayList<>(ChildJvm.DEFAULT_JVM_OPTIONS);
        options.add("-Xlog:class+load=info");
        try (ChildJvm child = ChildJvm.start(options, SemOnlyTestApp.class, name)) {
            assertThat(child.waitFor(Duration.ofSeconds(30))).as(child.output()).isZero();
            String log = child.output();
            assertThat(log).contains("OK").contains("org.ipc4j.api.internal.posix.SemCalls ");
            assertThat(log).doesNotContain("org.ipc4j.api.internal.posix.MqCalls")
                    .doesNotContain("org.ipc4j.api.internal.posix.LinuxCalls");
        }
    }

    @Test
    void unsupportedPlatformsGetAReasonNotALinkageError() {
        assertThat(NativeSupport.platformReason("Linux", "amd64", 64)).isNull();
        assertThat(NativeSupport.platformReason("Mac OS X", "aarch64", 64)).isNull();
        assertThat(NativeSupport.platformReason("Windows 11", "amd64", 64)).contains("Windows");
        assertThat(NativeSupport.platformReason("FreeBSD", "amd64", 64)).contains("FreeBSD");
        assertThat(NativeSupport.platformReason("Linux", "arm", 32)).contains("64-bit").contains("32-bit");
    }

    @Test
    void fileModesConvertBothWays() {
        assertThat(FileModes.toPermissions(0640)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ);
        for (int mode = 0; mode <= 0777; mode++) {
            assertThat(FileModes.toMode(FileModes.toPermissions(mode))).isEqualTo(mode);
        }
        assertThat(FileModes.toPermissions(0)).isEmpty();
        assertThat(FileModes.toMode(Set.of(PosixFilePermission.OTHERS_EXECUTE))).isEqualTo(01);
        assertThatThrownBy(() -> FileModes.toPermissions(04755)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("04755");
    }

    /**
     * A JVM without JNA on its class path (what ipc-socket's users have): the probe explains, the pure parts
     * (constants, error mapping, the guard) work, and nothing throws a linkage error.
     */
    @Test
    void withoutJnaTheProbeExplainsAndThePureJavaPartsWork() throws Exception {
        assertThat(WithoutJna.classPath()).doesNotContain("jna-");
        WithoutJna.Result child = WithoutJna.run(NoJnaTestApp.class);
        assertThat(child.exitCode()).as(child.output()).isZero();
        assertThat(child.output()).contains("reason: JNA (net.java.dev.jna:jna) is not on the class path");
    }
}
