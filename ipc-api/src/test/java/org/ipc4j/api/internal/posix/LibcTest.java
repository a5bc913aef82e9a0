package org.ipc4j.api.internal.posix;

import org.ipc4j.api.internal.FileModes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.NativeException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.Deadline;
import org.ipc4j.api.internal.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POSIX calls of {@link Libc} and {@link Poll} on real descriptors: a FIFO opened read-write and
 * non-blocking is a pipe this one thread can write and read.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LibcTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void nativeCallsWorkHere() {
        assumeTrue(Platform.current() == Platform.LINUX, "tested on Linux");
        assertThat(NativeSupport.unavailableReason(NativeSupport.Binding.LIBC)).isNull();
    }

    @Test
    void errnoIsReadRightAfterTheFailedCall() throws Exception {
        assertThat(Libc.close(-1)).isEqualTo(-1);
        assertThat(Libc.errno()).isEqualTo(Errno.EBADF);
        String missing = dir.resolve("missing").toString();
        assertThat(Libc.open(missing, OsConstants.O_RDONLY | OsConstants.O_CLOEXEC)).isEqualTo(-1);
        int errno = Libc.errno();
        assertThat(errno).isEqualTo(Errno.ENOENT);
        assertThat(NativeErrors.exception("open", missing, errno)).isInstanceOf(NoSuchObjectException.class)
                .hasMessage("open(\"" + missing + "\") failed: ENOENT (No such file or directory)");
    }

    @Test
    void openPassesTheModeAsAVariadicArgumentAndFchmodSetsItExactly() throws Exception {
        Path file = dir.resolve("created");
        int fd = Libc.open(file.toString(), OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_EXCL
                | OsConstants.O_CLOEXEC | OsConstants.O_NOFOLLOW, 0600);
        assertThat(fd).as(Errno.describe(Libc.errno())).isGreaterThanOrEqualTo(0);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Libc.fchmod(fd, 0640)).isZero();
            assertThat(FileModes.toMode(Files.getPosixFilePermissions(file))).isEqualTo(0640);
            assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(Libc.geteuid());
        } finally {
            assertThat(Libc.close(fd)).isZero();
        }
        assertThat(Libc.open(file.toString(), OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_EXCL, 0600))
                .isEqualTo(-1);
        assertThat(Libc.errno()).isEqualTo(Errno.EEXIST);
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, file);
        assertThat(Libc.open(link.toString(), OsConstants.O_RDONLY | OsConstants.O_NOFOLLOW)).isEqualTo(-1);
        assertThat(Libc.errno()).as("O_NOFOLLOW refuses a symbolic link").isEqualTo(Errno.ELOOP);
    }

    @Test
    void pollReadWriteFcntlAndIoctlOnAPipe() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(Libc.mkfifo(fifo.toString(), 0600)).isZero();
        int fd = Libc.open(fifo.toString(), OsConstants.O_RDWR | OsConstants.O_NONBLOCK | OsConstants.O_CLOEXEC);
        assertThat(fd).isGreaterThanOrEqualTo(0);
        try {
            assertThat(Poll.revents(fd, OsConstants.POLLIN, 0)).as("nothing to read yet").isZero();
            assertThat(Poll.ready(fd, OsConstants.POLLOUT, 0)).isTrue();
            long started = System.nanoTime();
            assertThat(Poll.await(fd, OsConstants.POLLIN, Deadline.after(Duration.ofSeconds(10)), 20)).isZero();
            assertThat(System.nanoTime() - started).as("one slice, not the whole deadline")
                    .isLessThan(TimeUnit.SECONDS.toNanos(5));

            Scratch scratch = Scratch.get();
            ByteBuffer out = scratch.staging(16);
            out.clear().put(new byte[] {1, 2, 3, 4, 5});
            assertThat(Libc.write(fd, scratch.stagingAddress(), 5)).isEqualTo(5);
            assertThat(Poll.revents(fd, OsConstants.POLLIN, 1000) & OsConstants.POLLIN).isNotZero();
            assertThat(Libc.ioctl(fd, OsConstants.FIONREAD, scratch.address(Scratch.WORD))).isZero();
            assertThat(scratch.word()).as("FIONREAD").isEqualTo(5);
            assertThat(Libc.fcntl(fd, OsConstants.F_GETPIPE_SZ)).isPositive();
            assertThat(Libc.fcntl(fd, OsConstants.F_SETPIPE_SZ, 1 << 16)).isGreaterThanOrEqualTo(1 << 16);
            assertThat(Libc.fcntl(fd, OsConstants.F_GETPIPE_SZ)).isGreaterThanOrEqualTo(1 << 16);

            ByteBuffer in = ByteBuffer.allocateDirect(16);
            assertThat(Libc.read(fd, scratch.addressOf(in), 16)).isEqualTo(5);
            assertThat(in.get(0)).isEqualTo((byte) 1);
            assertThat(in.get(4)).isEqualTo((byte) 5);
            assertThat(scratch.addressOf(in)).as("cached").isEqualTo(scratch.addressOf(in));
            assertThat(Libc.read(fd, scratch.addressOf(in), 16)).isEqualTo(-1);
            assertThat(Libc.errno()).isEqualTo(Errno.EAGAIN);
        } finally {
            assertThat(Libc.close(fd)).isZero();
        }
    }

    @Test
    void pollReportsAnInvalidDescriptorAsReady() throws Exception {
        int neverOpen = 1 << 20;
        assertThat(Poll.revents(neverOpen, OsConstants.POLLIN, 0) & OsConstants.POLLNVAL).isNotZero();
        assertThat(Poll.ready(neverOpen, OsConstants.POLLIN, 0)).isTrue();
        // An address the kernel cannot read: -1 and EFAULT, not a crash.
        assertThat(Libc.poll(8, 1, 0)).isEqualTo(-1);
        assertThat(Libc.errno()).isEqualTo(Errno.EFAULT);
    }

    @Test
    void pageSizeRlimitAndResidency() throws Exception {
        int page = Libc.getpagesize();
        assertThat(Integer.bitCount(page)).as("a power of two: " + page).isEqualTo(1);
        assertThat(Limit.softRlimit(OsConstants.RLIMIT_NOFILE)).isPositive();
        ByteBuffer memory = ByteBuffer.allocateDirect(3 * page);
        Scratch scratch = Scratch.get();
        long base = scratch.addressOf(memory);
        long aligned = (base + page - 1) & -page;
        memory.put((int) (aligned - base), (byte) 1); // touch the page: it is resident now
        assertThat(Libc.mincore(aligned, page, scratch.address(Scratch.WORD))).isZero();
        assertThat(scratch.memory().get(Scratch.WORD) & 1).as("resident").isEqualTo(1);
        int advised = Libc.madvise(aligned, page, OsConstants.MADV_POPULATE_WRITE);
        assertThat(advised == 0 || Libc.errno() == Errno.EINVAL).as("0, or EINVAL before Linux 5.14").isTrue();
        // Provoked failures: an address off a page boundary; a range nothing is mapped at (the page at 0).
        assertThat(Libc.madvise(aligned + 1, page, OsConstants.MADV_POPULATE_WRITE)).isEqualTo(-1);
        assertThat(Libc.errno()).isEqualTo(Errno.EINVAL);
        assertThat(Libc.mincore(0, page, scratch.address(Scratch.WORD))).isEqualTo(-1);
        assertThat(Libc.errno()).as("mincore of unmapped memory").isEqualTo(Errno.ENOMEM);
        assertThat(NativeErrors.exception("mincore", null, Errno.ENOMEM)).isInstanceOf(NativeException.class)
                .hasMessageStartingWith("mincore() failed: ENOMEM");
    }
}
