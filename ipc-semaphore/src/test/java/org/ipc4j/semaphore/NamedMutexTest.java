package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.ipc4j.api.CorruptedStateException;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.EndpointClosedException;
import org.ipc4j.api.NoSuchObjectException;
import org.ipc4j.api.ObjectExistsException;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** NamedMutex within one process: exclusion between handles and threads, misuse, close, dead-owner takeover. */
@Timeout(30)
class NamedMutexTest {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    private String mutexName(String prefix) {
        String name = names.unique(prefix);
        names.onCleanup(() -> NamedMutex.unlink(name));
        return name;
    }

    static Path record(String name) {
        return Path.of("/dev/shm", "mutex." + name);
    }

    @Test
    void createsOwnerOnlyNamesAndUnlinkRemovesBoth() throws Exception {
        String name = mutexName("names");
        try (NamedMutex m = NamedMutex.create("/" + name)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record(name)))).isEqualTo("rw-------");
            Path bell = Path.of("/dev/shm", "sem.mutex." + name);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bell))).isEqualTo("rw-------");
            assertThatThrownBy(() -> NamedMutex.create(name)).isInstanceOf(ObjectExistsException.class)
                    .hasMessageContaining(name);
            m.unlink();
            assertThat(record(name)).doesNotExist();
            assertThat(bell).doesNotExist();
            assertThat(NamedMutex.unlink(name)).isFalse();
        }
        assertThatThrownBy(() -> NamedMutex.open(name)).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> NamedMutex.open("bad/name")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mutex name");
    }

    @Test
    void excludesAcrossHandlesAndThreads() throws Exception {
        String name = mutexName("excl");
        NamedMutex shared = names.closeAfter(NamedMutex.create(name));
        int[] counter = {0};
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            // Two threads share one handle, two have their own.
            NamedMutex m = w < 2 ? shared : names.closeAfter(NamedMutex.open(name));
            workers.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        m.acquire();
                        try {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            counter[0]++;
                            inside.decrementAndGet();
                        } finally {
                            m.release();
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start()));
        }
        for (CompletableFuture<Void> w : workers) {
            w.get(20, TimeUnit.SECONDS);
        }
        assertThat(overlaps.get()).isZero();
        assertThat(counter[0]).isEqualTo(2000);
        assertThat(shared.ownerPid()).isEmpty();
        assertThat(shared.recoveries()).isZero();
    }

    @Test
    void misuseIsReportedNotSilentlyAccepted() throws Exception {
        NamedMutex m = names.closeAfter(NamedMutex.create(mutexName("misuse")));
        assertThatThrownBy(m::release).isInstanceOf(IllegalMonitorStateException.class);
        m.acquire();
        assertThatThrownBy(m::acquire).isInstanceOf(IllegalStateException.class).hasMessageContaining("reentrant");
        assertThat(m.ownerPid()).hasValue(ProcessHandle.current().pid());
        assertThat(m.ownerDied()).isFalse();
        m.release();
        assertThat(m.tryAcquire()).isTrue();
        m.release();
    }

    @Test
    void timedAcquireTimesOutWhileAnotherHandleHoldsItAndCloseReleases() throws Exception {
        String name = mutexName("timed");
        NamedMutex a = names.closeAfter(NamedMutex.create(name));
        NamedMutex b = names.closeAfter(NamedMutex.open(name));
        a.acquire();
        assertThat(b.tryAcquire()).isFalse();
        long start = System.nanoTime();
        assertThat(b.tryAcquire(Duration.ofMillis(120))).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(110L, 2000L);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return b.tryAcquire(Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50);
        a.close(); // releases the held lock and wakes b
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(b.ownerDied()).isFalse();
        b.release();
    }

    @Test
    void closeAndInterruptWakeWaiters() throws Exception {
        String name = mutexName("wake");
        NamedMutex holder = names.closeAfter(NamedMutex.create(name));
        NamedMutex waiting = NamedMutex.open(name);
        holder.acquire();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                waiting.acquire();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> new Thread(r).start());
        AtomicReference<Throwable> interrupted = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                holder.acquire(); // another thread of the holding handle waits too
            } catch (Throwable e) {
                interrupted.set(e);
            }
        });
        t.start();
        Thread.sleep(100);
        waiting.close();
        assertThatThrownBy(() -> closed.get(2, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().hasCauseInstanceOf(EndpointClosedException.class);
        t.interrupt();
        t.join(2000);
        assertThat(interrupted.get()).isInstanceOf(InterruptedIOException.class);
        assertThat(holder.isHeldByThisEndpoint()).isTrue();
        holder.close(); // releases the held lock
        assertThat(holder.isHeldByThisEndpoint()).isFalse();
        assertThatThrownBy(holder::release).isInstanceOf(EndpointClosedException.class);
        try (NamedMutex again = NamedMutex.open(name)) {
            assertThat(again.tryAcquire()).isTrue();
            assertThat(again.ownerDied()).isFalse();
            again.release();
        }
    }

    @Test
    void takesOverFromADeadOwnerAndSaysSo() throws Exception {
        String name = mutexName("dead");
        NamedMutex m = names.closeAfter(NamedMutex.create(name));
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long deadToken = (gone.pid() << 32) | 12345;
        writeOwner(name, deadToken);
        assertThat(m.ownerPid()).as("a token under a free kernel lock is no owner").isEmpty();
        assertThat(m.tryAcquire(Duration.ofSeconds(5))).isTrue();
        assertThat(m.ownerDied()).isTrue();
        assertThat(m.deadOwnerPid()).hasValue(gone.pid());
        assertThat(m.recoveries()).isEqualTo(1);
        m.release();
        assertThat(m.ownerDied()).isFalse();
        assertThat(m.deadOwnerPid()).isEmpty();
        // A token left under a free kernel lock names a holder that died, whatever pid it names (even ours).
        writeOwner(name, (ProcessHandle.current().pid() << 32) | 7);
        assertThat(m.tryAcquire()).isTrue();
        assertThat(m.ownerDied()).isTrue();
        m.release();
    }

    @Test
    void releaseAfterALiveLockWasTakenOverIsReported() throws Exception {
        String name = mutexName("stolen");
        NamedMutex m = names.closeAfter(NamedMutex.create(name));
        m.acquire();
        writeOwner(name, (1L << 32) | 1); // a program that writes the word without the kernel lock
        assertThatThrownBy(m::release).isInstanceOf(org.ipc4j.api.IpcException.class)
                .hasMessageContaining("without taking its lock");
        assertThat(m.isHeldByThisEndpoint()).isFalse();
        writeOwner(name, 0);
    }

    @Test
    void unlinkOnCloseRemovesBothNames() throws Exception {
        String name = mutexName("uoc");
        NamedMutex m = NamedMutex.open(name, org.ipc4j.api.OpenOptions.create().unlinkOnClose(true));
        assertThat(record(name)).exists();
        m.close();
        assertThat(record(name)).doesNotExist();
        assertThat(Path.of("/dev/shm", "sem.mutex." + name)).doesNotExist();
    }

    @Test
    void aRecordThatIsNotAMutexIsCorruptedStateNotUsed() throws Exception {
        String name = mutexName("corrupt");
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0x5a);
        Files.write(record(name), garbage);
        assertThatThrownBy(() -> NamedMutex.open(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining("magic");
        Files.write(record(name), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> NamedMutex.open(name)).isInstanceOf(CorruptedStateException.class)
                .hasMessageContaining("8 bytes");
        assertThat(Files.size(record(name))).as("the foreign file is not grown or written").isEqualTo(8);
    }

    @Test
    void aSymlinkPlantedUnderTheNameIsNotFollowed() throws Exception {
        String name = mutexName("symlink");
        Path victim = Files.createTempFile("ipc4j-victim", ".dat");
        names.deleteAfter(victim);
        Files.write(victim, new byte[] {42});
        Files.createSymbolicLink(record(name), victim);
        names.deleteAfter(record(name));
        assertThatThrownBy(() -> NamedMutex.open(name)).isInstanceOf(IpcException.class)
                .hasMessageContaining("symbolic link");
        assertThat(Files.readAllBytes(victim)).as("the link's target is untouched").containsExactly(42);
    }

    private static void writeOwner(String name, long token) throws Exception {
        try (FileChannel ch = FileChannel.open(record(name), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, 64);
            b.order(ByteOrder.nativeOrder()).putLong(8, token);
            b.force();
        }
    }
}
