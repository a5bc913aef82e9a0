package org.ipc4j.pipe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flag values and the pollfd layout in {@link LinuxLibc} against the C headers: a small C program
 * built with gcc at test time prints them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinuxLibcConstantsTest {

    private static final String PROGRAM = String.join("\n",
            "#define _GNU_SOURCE",
            "#include <fcntl.h>",
            "#include <poll.h>",
            "#include <stdio.h>",
            "#include <errno.h>",
            "#include <sys/ioctl.h>",
            "int main(void) {",
            "  printf(\"O_RDONLY=%d\\nO_WRONLY=%d\\nO_NONBLOCK=%d\\nO_CLOEXEC=%d\\n\", O_RDONLY, O_WRONLY, O_NONBLOCK, O_CLOEXEC);",
            "  printf(\"POLLIN=%d\\nPOLLOUT=%d\\nPOLLERR=%d\\nPOLLHUP=%d\\n\", POLLIN, POLLOUT, POLLERR, POLLHUP);",
            "  printf(\"FIONREAD=%ld\\nF_GETPIPE_SZ=%d\\n\", (long) FIONREAD, F_GETPIPE_SZ);",
            "  printf(\"F_SETPIPE_SZ=%d\\nO_NOFOLLOW=%d\\nELOOP=%d\\n\", F_SETPIPE_SZ, O_NOFOLLOW, ELOOP);",
            "  printf(\"F_DUPFD=%d\\nF_SETFD=%d\\nF_GETFL=%d\\nF_SETFL=%d\\nFD_CLOEXEC=%d\\n\", F_DUPFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC);",
            "  printf(\"sizeof_pollfd=%zu\\nrevents_offset=%zu\\n\", sizeof(struct pollfd), __builtin_offsetof(struct pollfd, revents));",
            "  return 0;",
            "}",
            "");

    @Test
    void constantsAndPollfdLayoutMatchTheCHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "the values checked are Linux's");
        Path source = dir.resolve("constants.c");
        Path binary = dir.resolve("constants");
        Files.writeString(source, PROGRAM);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            return;
        }
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc output: %s", gccOutput).isZero();
        Process run = new ProcessBuilder(binary.toString()).start();
        Map<String, Long> values = new HashMap<>();
        for (String line : new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.split("=");
            values.put(kv[0], Long.parseLong(kv[1].trim()));
        }
        assertThat(run.waitFor()).isZero();
        assertThat(values.get("O_RDONLY")).isEqualTo(LinuxLibc.O_RDONLY);
        assertThat(values.get("O_WRONLY")).isEqualTo(LinuxLibc.O_WRONLY);
        assertThat(values.get("O_NONBLOCK")).isEqualTo(LinuxLibc.O_NONBLOCK);
        assertThat(values.get("O_CLOEXEC")).isEqualTo(LinuxLibc.O_CLOEXEC);
        assertThat(values.get("POLLIN")).isEqualTo(LinuxLibc.POLLIN);
        assertThat(values.get("POLLOUT")).isEqualTo(LinuxLibc.POLLOUT);
        assertThat(values.get("POLLERR")).isEqualTo(LinuxLibc.POLLERR);
        assertThat(values.get("POLLHUP")).isEqualTo(LinuxLibc.POLLHUP);
        assertThat(values.get("FIONREAD")).isEqualTo(LinuxLibc.FIONREAD);
        assertThat(values.get("F_GETPIPE_SZ")).isEqualTo(LinuxLibc.F_GETPIPE_SZ);
        assertThat(values.get("F_SETPIPE_SZ")).isEqualTo(LinuxLibc.F_SETPIPE_SZ);
        assertThat(values.get("O_NOFOLLOW")).isEqualTo(LinuxLibc.O_NOFOLLOW);
        assertThat(values.get("ELOOP")).isEqualTo(LinuxLibc.ELOOP);
        assertThat(values.get("F_DUPFD")).isEqualTo(LinuxLibc.F_DUPFD);
        assertThat(values.get("F_SETFD")).isEqualTo(LinuxLibc.F_SETFD);
        assertThat(values.get("F_GETFL")).isEqualTo(LinuxLibc.F_GETFL);
        assertThat(values.get("F_SETFL")).isEqualTo(LinuxLibc.F_SETFL);
        assertThat(values.get("FD_CLOEXEC")).isEqualTo(LinuxLibc.FD_CLOEXEC);
        // Fd.poll passes a pollfd as two ints: fd, then events and revents as two shorts
        assertThat(values.get("sizeof_pollfd")).isEqualTo(8L);
        assertThat(values.get("revents_offset")).isEqualTo(6L);
    }
}
