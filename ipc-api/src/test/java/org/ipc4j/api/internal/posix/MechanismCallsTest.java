package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.NativeException;
import org.ipc4j.api.Platform;
import org.ipc4j.api.internal.Errno;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mechanism bindings ({@link MqCalls}, {@link SemCalls}, {@link LinuxCalls}) make real calls with the
 * argument layouts of {@link Structs} and {@link Scratch}: what the transports will rely on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MechanismCallsTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @TempDir
    Path dir;

    @BeforeAll
    static void onLinux() {
        assumeTrue(Platform.current() == Platform.LINUX, "tested on Linux");
    }

    @Test
    void aMessageQueueRoundTripThroughMqCalls() throws Exception {
        assertThat(NativeSupport.unavailableReason(NativeSupport.Binding.MQ)).isNull();
        String name = "/" + names.unique("mqcalls");
        Scratch scratch = Scratch.get();
        ByteBuffer m = scratch.memory();
        for (int i = 0; i < Structs.MQ_ATTR_SIZE; i += 8) {
            m.putLong(Scratch.STRUCT + i, 0);
        }
        m.putLong(Scratch.STRUCT + Structs.MQ_ATTR_MAXMSG, 4);
        m.putLong(Scratch.STRUCT + Structs.MQ_ATTR_MSGSIZE, 64);
        int mqd = MqCalls.mq_open(name, OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_EXCL
                | OsConstants.O_CLOEXEC, 0600, scratch.address(Scratch.STRUCT));
        assertThat(mqd).as(Errno.describe(Libc.errno())).isGreaterThanOrEqualTo(0);
        names.onCleanup(() -> MqCalls.mq_unlink(name));
        try {
            assertThat(MqCalls.mq_open(name, OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_EXCL, 0600, 0))
                    .isEqualTo(-1);
            assertThat(Libc.errno()).isEqualTo(Errno.EEXIST);
            assertThat(MqCalls.mq_getattr(mqd, scratch.address(Scratch.STRUCT))).isZero();
            assertThat(m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_MAXMSG)).isEqualTo(4);
            assertThat(m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_MSGSIZE)).isEqualTo(64);
            assertThat(m.getLong(Scratch.STRUCT + Structs.MQ_ATTR_CURMSGS)).isZero();

            ByteBuffer message = scratch.staging(64);
            message.clear().put(0, (byte) 42);
            assertThat(MqCalls.mq_timedsend(mqd, scratch.stagingAddress(), 1, 7, scratch.zeroTimespec())).isZero();
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            long length = MqCalls.mq_timedreceive(mqd, scratch.addressOf(in), 64, scratch.address(Scratch.WORD),
                    scratch.timespec(Scratch.realtimeNanos() + 1_000_000_000L));
            assertThat(length).isEqualTo(1);
            assertThat(in.get(0)).isEqualTo((byte) 42);
            assertThat(scratch.word()).as("priority").isEqualTo(7);
            assertThat(MqCalls.mq_timedreceive(mqd, scratch.addressOf(in), 64, 0, scratch.zeroTimespec())).isEqualTo(-1);
            assertThat(Libc.errno()).as("empty queue, deadline in the past").isEqualTo(Errno.ETIMEDOUT);
        } finally {
            assertThat(MqCalls.mq_close(mqd)).isZero();
        }
        int existing = MqCalls.mq_open(name, OsConstants.O_RDONLY | OsConstants.O_CLOEXEC);
        assertThat(existing).isGreaterThanOrEqualTo(0);
        MqCalls.mq_close(existing);
        assertThat(MqCalls.mq_unlink(name)).isZero();
        assertThat(MqCalls.mq_unlink(name)).isEqualTo(-1);
        assertThat(Libc.errno()).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aSemaphoreThroughSemCalls() throws Exception {
        assertThat(NativeSupport.unavailableReason(NativeSupport.Binding.SEM)).isNull();
        String name = "/" + names.unique("semcalls");
        long sem = SemCalls.sem_open(name, OsConstants.O_CREAT | OsConstants.O_EXCL, 0600, 2);
        assertThat(SemCalls.failed(sem)).as(Errno.describe(Libc.errno())).isFalse();
        names.onCleanup(() -> SemCalls.sem_unlink(name));
        Scratch scratch = Scratch.get();
        try {
            assertThat(SemCalls.failed(SemCalls.sem_open(name, OsConstants.O_CREAT | OsConstants.O_EXCL, 0600, 0))).isTrue();
            assertThat(Libc.errno()).isEqualTo(Errno.EEXIST);
            assertThat(SemCalls.sem_getvalue(sem, scratch.address(Scratch.WORD))).isZero();
            assertThat(scratch.word()).isEqualTo(2);
            assertThat(SemCalls.sem_trywait(sem)).isZero();
            assertThat(SemCalls.sem_wait(sem)).isZero();
            assertThat(SemCalls.sem_trywait(sem)).isEqualTo(-1);
            assertThat(Libc.errno()).isEqualTo(Errno.EAGAIN);
            assertThat(SemCalls.sem_timedwait(sem, scratch.timespec(Scratch.realtimeNanos() + 10_000_000L))).isEqualTo(-1);
            assertThat(Libc.errno()).isEqualTo(Errno.ETIMEDOUT);
            assertThat(SemCalls.sem_post(sem)).isZero();
            assertThat(SemCalls.sem_getvalue(sem, scratch.address(Scratch.WORD))).isZero();
            assertThat(scratch.word()).isEqualTo(1);
        } finally {
            assertThat(SemCalls.sem_close(sem)).isZero();
        }
        long again = SemCalls.sem_open(name, 0);
        assertThat(SemCalls.failed(again)).isFalse();
        SemCalls.sem_close(again);
        assertThat(SemCalls.sem_unlink(name)).isZero();
        assertThat(SemCalls.failed(SemCalls.sem_open(name, 0))).isTrue();
        assertThat(Libc.errno()).isEqualTo(Errno.ENOENT);
    }

    @Test
    void epollSeesAReadableFifoAndFallocateReservesBlocks() throws Exception {
        assertThat(NativeSupport.unavailableReason(NativeSupport.Binding.LINUX)).isNull();
        Scratch scratch = Scratch.get();
        ByteBuffer m = scratch.memory();
        Path fifo = dir.resolve("fifo");
        assertThat(Libc.mkfifo(fifo.toString(), 0600)).isZero();
        int fd = Libc.open(fifo.toString(), OsConstants.O_RDWR | OsConstants.O_NONBLOCK | OsConstants.O_CLOEXEC);
        int epfd = LinuxCalls.epoll_create1(OsConstants.EPOLL_CLOEXEC);
        assertThat(epfd).isGreaterThanOrEqualTo(0);
        try {
            m.putInt(Scratch.STRUCT + Structs.EPOLL_EVENT_EVENTS, OsConstants.EPOLLIN | OsConstants.EPOLLONESHOT);
            m.putLong(Scratch.STRUCT + Structs.EPOLL_EVENT_DATA, 0x1234_5678_9abcL);
            assertThat(LinuxCalls.epoll_ctl(epfd, OsConstants.EPOLL_CTL_ADD, fd, scratch.address(Scratch.STRUCT))).isZero();
            assertThat(LinuxCalls.epoll_wait(epfd, scratch.address(Scratch.STRUCT), 1, 0)).isZero();
            scratch.staging(1).put(0, (byte) 9);
            assertThat(Libc.write(fd, scratch.stagingAddress(), 1)).isEqualTo(1);
            m.putLong(Scratch.STRUCT + Structs.EPOLL_EVENT_DATA, 0);
            assertThat(LinuxCalls.epoll_wait(epfd, scratch.address(Scratch.STRUCT), 1, 1000)).isEqualTo(1);
            assertThat(m.getLong(Scratch.STRUCT + Structs.EPOLL_EVENT_DATA)).as("the data word").isEqualTo(0x1234_5678_9abcL);
            assertThat(m.getInt(Scratch.STRUCT + Structs.EPOLL_EVENT_EVENTS) & OsConstants.EPOLLIN).isNotZero();
        } finally {
            Libc.close(epfd);
            Libc.close(fd);
        }

        Path file = dir.resolve("reserved");
        int f = Libc.open(file.toString(), OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_CLOEXEC, 0600);
        try {
            int error = LinuxCalls.posix_fallocate(f, 0, 1 << 16);
            assertThat(error == 0 || error == Errno.ENOTSUP).as(Errno.describe(error)).isTrue();
            if (error == 0) {
                assertThat(Files.size(file)).isEqualTo(1 << 16);
            }
            int kept = LinuxCalls.fallocate(f, OsConstants.FALLOC_FL_KEEP_SIZE, 0, 1 << 17);
            assertThat(kept == 0 || Libc.errno() == Errno.ENOTSUP).isTrue();
            assertThat(Files.size(file)).as("KEEP_SIZE").isEqualTo(error == 0 ? 1 << 16 : 0);
        } finally {
            Libc.close(f);
        }
    }

    /**
     * posix_fallocate reports failure by its result, not by errno; that number goes through the same mapping.
     * Provoked: a descriptor open for reading only (EBADF), and a size larger than the whole of /dev/shm (tmpfs
     * refuses it at once, allocating nothing: ENOSPC), which a mechanism's hint reports as the free space there.
     */
    @Test
    void aFailedAllocationReturnsItsErrorNumberAndMapsToATypedException() throws Exception {
        Path file = dir.resolve("readonly");
        Files.createFile(file);
        int readOnly = Libc.open(file.toString(), OsConstants.O_RDONLY | OsConstants.O_CLOEXEC);
        assertThat(readOnly).isGreaterThanOrEqualTo(0);
        try {
            int error = LinuxCalls.posix_fallocate(readOnly, 0, 4096);
            assertThat(error).as(Errno.describe(error)).isEqualTo(Errno.EBADF);
            assertThat(NativeErrors.exception("posix_fallocate", file.toString(), error))
                    .isInstanceOfSatisfying(NativeException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF))
                    .hasMessage("posix_fallocate(\"" + file + "\") failed: EBADF (Bad file descriptor)");
        } finally {
            Libc.close(readOnly);
        }

        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isWritable(shm), "needs a writable /dev/shm");
        long total = Files.getFileStore(shm).getTotalSpace();
        Path big = shm.resolve(names.unique("fallocate"));
        names.onCleanup(() -> Files.deleteIfExists(big));
        int fd = Libc.open(big.toString(), OsConstants.O_RDWR | OsConstants.O_CREAT | OsConstants.O_EXCL
                | OsConstants.O_CLOEXEC, 0600);
        assertThat(fd).as(Errno.describe(Libc.errno())).isGreaterThanOrEqualTo(0);
        try {
            int error = LinuxCalls.posix_fallocate(fd, 0, total + (1L << 30));
            assertThat(error).as(Errno.describe(error)).isEqualTo(Errno.ENOSPC);
            assertThat(Files.size(big)).as("nothing allocated").isZero();
            ErrnoHints hints = ErrnoHints.none().limit(Errno.ENOSPC,
                    Limit.freeSpace(shm, "enlarge it: mount -o remount,size=N /dev/shm"), "no room");
            assertThat(hints.exception("posix_fallocate", big.toString(), error))
                    .isInstanceOfSatisfying(LimitReachedException.class, e -> {
                        assertThat(e.limit()).isEqualTo("free space in /dev/shm");
                        assertThat(e.value()).isPositive();
                    })
                    .hasMessageStartingWith("posix_fallocate(\"" + big + "\") failed: ENOSPC (No space left on device);"
                            + " free space in /dev/shm is ")
                    .hasMessageEndingWith(" bytes; no room; enlarge it: mount -o remount,size=N /dev/shm");
        } finally {
            Libc.close(fd);
        }
    }
}
