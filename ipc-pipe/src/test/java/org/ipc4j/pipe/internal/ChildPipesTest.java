package org.ipc4j.pipe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.posix.Libc;
import org.ipc4j.api.internal.posix.OsConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipes made for a framed child, through the shared bindings ({@code pipe}, {@code fcntl}): what each
 * descriptor is, and what a user gets when the process is out of descriptors.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChildPipesTest {
    /** Test-only: lowering and restoring this process's descriptor limit. */
    interface Rlimits extends Library {
        Rlimits C = Native.load("c", Rlimits.class);

        /** {@code rlim} is a struct rlimit: {cur, max}. */
        int getrlimit(int resource, long[] rlim);

        int setrlimit(int resource, long[] rlim);
    }

    /** The flags of an open descriptor as /proc/self/fdinfo shows them (octal). */
    private static int flags(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags for fd " + fd);
    }

    private static int fd(File procPath) {
        return Integer.parseInt(procPath.getName());
    }

    @Test
    void bothPipesAreCloseOnExecAndThisProcessEndsAreNonBlocking() throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "reads /proc/self/fdinfo");
        assertThat(ChildPipes.supported()).isTrue();
        try (ChildPipes pipes = ChildPipes.create()) {
            int childIn = fd(pipes.childStdin());
            int childOut = fd(pipes.childStdout());
            int toChild = pipes.takeToChild();
            int fromChild = pipes.takeFromChild();
            try {
                for (int fd : new int[] {childIn, childOut, toChild, fromChild}) {
                    assertThat(flags(fd) & OsConstants.O_CLOEXEC).as("fd %d close-on-exec", fd).isNotZero();
                    assertThat(Fd.isFifoMode((Integer) Files.getAttribute(Fd.path(fd), "unix:mode"))).isTrue();
                }
                assertThat(flags(toChild) & OsConstants.O_NONBLOCK).isNotZero();
                assertThat(flags(fromChild) & OsConstants.O_NONBLOCK).isNotZero();
                assertThat(flags(childIn) & OsConstants.O_NONBLOCK).as("the child's ends block, as it expects")
                        .isZero();
                assertThat(flags(toChild) & 3).isEqualTo(OsConstants.O_WRONLY);
                assertThat(flags(fromChild) & 3).isEqualTo(OsConstants.O_RDONLY);
            } finally {
                Fd.close(toChild);
                Fd.close(fromChild);
            }
            pipes.closeChildEnds();
            assertThat(Files.exists(Fd.path(childIn))).as("closed").isFalse();
        }
    }

    /**
     * With one free descriptor below the limit, pipe(2) fails with EMFILE: the user gets a
     * LimitReachedException naming RLIMIT_NOFILE and how to raise it, and nothing is left open.
     */
    @Test
    void outOfDescriptorsIsALimitNamingRlimitNofile() throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "sets RLIMIT_NOFILE with Linux's resource number");
        long[] saved = new long[2];
        assertThat(Rlimits.C.getrlimit(OsConstants.RLIMIT_NOFILE, saved)).isZero();
        int lowestFree = Libc.open("/dev/null", OsConstants.O_RDONLY | OsConstants.O_CLOEXEC);
        assertThat(lowestFree).isGreaterThanOrEqualTo(0);
        Libc.close(lowestFree);
        Throwable t;
        assertThat(Rlimits.C.setrlimit(OsConstants.RLIMIT_NOFILE, new long[] {lowestFree + 1, saved[1]})).isZero();
        try {
            t = catchThrowable(ChildPipes::create);
        } finally {
            assertThat(Rlimits.C.setrlimit(OsConstants.RLIMIT_NOFILE, saved)).isZero();
        }
        assertThat(t).isInstanceOf(LimitReachedException.class)
                .hasMessageStartingWith("pipe() failed: EMFILE (Too many open files); RLIMIT_NOFILE is " + (lowestFree + 1) + ";")
                .hasMessageContaining("ulimit -n");
        assertThat(((LimitReachedException) t).limit()).isEqualTo("RLIMIT_NOFILE");
        int next = Libc.open("/dev/null", OsConstants.O_RDONLY | OsConstants.O_CLOEXEC);
        Libc.close(next);
        assertThat(next).as("no descriptor leaked by the failed create").isEqualTo(lowestFree);
    }
}
