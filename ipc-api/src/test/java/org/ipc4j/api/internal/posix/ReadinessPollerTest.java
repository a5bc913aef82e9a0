package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared epoll poller over a real pipe: timeouts, readiness, interrupt, several waiters of one descriptor,
 * one-shot actions, and a descriptor epoll refuses (a regular file), which is polled directly. Any thread may
 * wait through it; virtual threads are what it is for (see the transports' virtual-thread tests).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadinessPollerTest {
    private final ByteBuffer fds = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private int readFd = -1;
    private int writeFd = -1;
    private ReadinessPoller poller;

    @BeforeEach
    void pipe() throws Exception {
        assumeTrue(Platform.current() == Platform.LINUX, "epoll is Linux only");
        assertThat(Libc.pipe(Scratch.directAddress(fds))).isZero();
        readFd = fds.getInt(0);
        writeFd = fds.getInt(4);
        poller = ReadinessPoller.forMechanism("test");
    }

    @AfterEach
    void closePipe() {
        if (readFd >= 0) {
            poller.forget(readFd);
            Libc.close(readFd);
        }
        if (writeFd >= 0) {
            poller.forget(writeFd);
            Libc.close(writeFd);
        }
    }

    private void writeOne() {
        assertThat(Libc.write(writeFd, Scratch.directAddress(one), 1)).isEqualTo(1);
    }

    @Test
    void aWaitEndsAtItsTimeoutThenAtReadiness() throws Exception {
        long start = System.nanoTime();
        assertThat(poller.await(readFd, OsConstants.EPOLLIN, TimeUnit.MILLISECONDS.toNanos(50))).isZero();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return poller.await(readFd, OsConstants.EPOLLIN, TimeUnit.SECONDS.toNanos(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        writeOne();
        assertThat(waiting.get(5, TimeUnit.SECONDS) & OsConstants.EPOLLIN).isNotZero();
        assertThat(poller.isRunning()).isTrue();
    }

    @Test
    void everyWaiterOfADescriptorIsWokenAndAnActionRunsOnce() throws Exception {
        int n = 8;
        CountDownLatch woken = new CountDownLatch(n);
        CountDownLatch action = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    if (poller.await(readFd, OsConstants.EPOLLIN, TimeUnit.SECONDS.toNanos(10)) != 0) {
                        woken.countDown();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.setDaemon(true);
            t.start();
        }
        poller.onReady(readFd, OsConstants.EPOLLIN, action::countDown);
        Thread.sleep(200);
        writeOne();
        assertThat(woken.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(action.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anInterruptEndsAWaitWithNothingReady() throws Exception {
        Thread self = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            self.interrupt();
        });
        interrupter.start();
        try {
            long start = System.nanoTime();
            assertThat(poller.await(readFd, OsConstants.EPOLLIN, TimeUnit.SECONDS.toNanos(10))).isZero();
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt status stays set").isTrue();
        } finally {
            Thread.interrupted();
            interrupter.join();
        }
    }

    @Test
    void aHungUpPipeWakesAReaderAndARegularFileIsPolledDirectly() throws Exception {
        Libc.close(writeFd);
        poller.forget(writeFd);
        writeFd = -1;
        assertThat(poller.await(readFd, OsConstants.EPOLLIN, TimeUnit.SECONDS.toNanos(5)) & OsConstants.EPOLLHUP)
                .isNotZero();
        Path file = Files.createTempFile("ipc4j-poller", ".txt");
        int fd = Libc.open(file.toString(), OsConstants.O_RDONLY);
        try {
            assertThat(fd).isNotNegative();
            // epoll_ctl refuses a regular file (EPERM); poll says at once that it is readable.
            assertThat(poller.await(fd, OsConstants.EPOLLIN, TimeUnit.SECONDS.toNanos(5)) & OsConstants.EPOLLIN)
                    .isNotZero();
        } finally {
            Libc.close(fd);
            Files.deleteIfExists(file);
        }
    }
}
