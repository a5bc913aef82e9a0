package org.ipc4j.api.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.internal.Errno;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The futex binding: its answers for each case, and a wake from another thread. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FutexTest {
    private final ByteBuffer word = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private long address;

    @BeforeEach
    void bound() {
        assumeTrue(NativeSupport.isAvailable(NativeSupport.Binding.FUTEX),
                "no futex here: " + NativeSupport.unavailableReason(NativeSupport.Binding.FUTEX));
        address = Scratch.directAddress(word);
    }

    @Test
    void systemCallNumbersPerArchitecture() {
        assertThat(Futex.systemCallNumber("amd64")).isEqualTo(202);
        assertThat(Futex.systemCallNumber("x86_64")).isEqualTo(202);
        assertThat(Futex.systemCallNumber("aarch64")).isEqualTo(98);
        assertThat(Futex.systemCallNumber("riscv64")).isEqualTo(-1);
        assertThat(Futex.systemCallNumber(null)).isEqualTo(-1);
        assertThat(Futex.membarrierNumber("amd64")).isEqualTo(324);
        assertThat(Futex.membarrierNumber("aarch64")).isEqualTo(283);
        assertThat(Futex.membarrierNumber("ppc64le")).isEqualTo(-1);
    }

    @Test
    void theGlobalBarrierWorksOnceRegistered() {
        assumeTrue(Futex.registerForGlobalBarrier(), "membarrier(GLOBAL_EXPEDITED) is not available here");
        assertThat(Futex.globalBarrier()).isZero();
    }

    @Test
    void waitForAnotherValueReturnsAtOnceAndAWaitTimesOut() {
        word.putInt(0, 7);
        assertThat(Futex.await(address, 8, 1_000_000_000L)).isEqualTo(Errno.EAGAIN);
        long t0 = System.nanoTime();
        assertThat(Futex.await(address, 7, 20_000_000L)).isEqualTo(Errno.ETIMEDOUT);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(Futex.wake(address, Integer.MAX_VALUE)).isZero();
    }

    @Test
    void aWakeFromAnotherThreadEndsTheWait() throws Exception {
        word.putInt(0, 1);
        CompletableFuture<Integer> sleeper = CompletableFuture.supplyAsync(() -> Futex.await(address, 1, 20_000_000_000L));
        int woken = 0;
        while (woken == 0 && !sleeper.isDone()) {
            Thread.sleep(10);
            woken = Futex.wake(address, 1);
        }
        assertThat(sleeper.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(woken).isEqualTo(1);
    }
}
