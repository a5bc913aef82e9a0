package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.ipc4j.api.internal.Errno;
import org.ipc4j.api.internal.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesAndOptionsTest {

    @Test
    void aLeadingSlashIsOptional() {
        assertThat(IpcNames.validate("queue", "/jobs")).isEqualTo("jobs");
        assertThat(IpcNames.validate("queue", "jobs-1.v2_x")).isEqualTo("jobs-1.v2_x");
        assertThat(IpcNames.posix("queue", "jobs")).isEqualTo("/jobs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a/b", "/a/b", ".hidden", "-x", "spa ce", "ümlaut", "0123456789012345678901234567890"})
    void invalidNamesAreRejectedWithTheName(String name) {
        assertThatThrownBy(() -> IpcNames.validate("message queue", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("message queue name \"" + name + "\"");
    }

    @Test
    void optionsDefaultToOwnerOnlyAndValidatePermissions() {
        OpenOptions o = OpenOptions.create();
        assertThat(o.permissions()).isEqualTo(0600);
        assertThat(o.mode()).isEqualTo(OpenMode.CREATE);
        assertThat(o.unlinkOnClose()).isFalse();
        assertThat(o.unlinkOnClose(true).permissions(0640).toString()).contains("0640", "unlinkOnClose");
        assertThat(OpenOptions.open().mayCreate()).isFalse();
        assertThatThrownBy(() -> o.permissions(0755)).hasMessageContaining("0755");
    }

    @Test
    void errnoMessagesNameFunctionArgumentAndError() {
        assertThat(Errno.message("mq_open", "/jobs", Errno.EMFILE, "RLIMIT_MSGQUEUE is 819200 bytes"))
                .isEqualTo("mq_open(\"/jobs\") failed: EMFILE (Too many open files); RLIMIT_MSGQUEUE is 819200 bytes");
        assertThat(Errno.exception("sem_post", null, 9999, null)).hasMessage("sem_post() failed: errno 9999")
                .extracting(NativeException::errno).isEqualTo(9999);
    }

    @Test
    void processIdentityTellsALiveProcessFromADeadOne() throws Exception {
        ProcessIdentity self = ProcessIdentity.self();
        assertThat(ProcessIdentity.isAlive(self.pid(), self.startTime())).isTrue();
        assertThat(ProcessIdentity.isAlive(self.pid(), self.startTime() + 1)).as("same pid, other start").isFalse();
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        long start = ProcessIdentity.startTimeOf(pid);
        p.waitFor();
        assertThat(ProcessIdentity.isAlive(pid, start)).as("an exited process").isFalse();
    }
}
