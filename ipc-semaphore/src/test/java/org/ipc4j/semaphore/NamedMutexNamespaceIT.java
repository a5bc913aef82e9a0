package org.ipc4j.semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Holders and takers in different PID namespaces (as in two containers sharing {@code /dev/shm}): pids mean
 * nothing across them, the kernel lock does. A live holder in one namespace is never taken over from another;
 * one killed with -9 is, and the taker is told.
 */
@Timeout(120)
class NamedMutexNamespaceIT {
    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    @BeforeEach
    void needsPidNamespaces() {
        String reason = ChildJvm.pidNamespaceUnavailableReason();
        assumeTrue(reason == null, () -> "skipped: no PID namespace can be made here: " + reason);
    }

    private NamedMutex createMutex(String prefix) throws Exception {
        String name = names.unique(prefix);
        names.onCleanup(() -> NamedMutex.unlink(name));
        return names.closeAfter(NamedMutex.create(name));
    }

    @Test
    void aLiveHolderHereIsNotTakenOverFromAnotherNamespace() throws Exception {
        NamedMutex mutex = createMutex("nshere");
        mutex.acquire();
        try (ChildJvm other = ChildJvm.startInPidNamespace(MutexHolderTestApp.class, mutex.name(), "try")) {
            assertThat(other.waitFor(Duration.ofSeconds(60))).as(other.output()).isZero();
            assertThat(other.output()).as("our pid is no process in its namespace, yet we are alive")
                    .contains("TRIED acquired=false ownerDied=false");
        }
        assertThat(mutex.isHeldByThisEndpoint()).isTrue();
        mutex.release();
        try (ChildJvm other = ChildJvm.startInPidNamespace(MutexHolderTestApp.class, mutex.name(), "try")) {
            assertThat(other.waitFor(Duration.ofSeconds(60))).as(other.output()).isZero();
            assertThat(other.output()).contains("TRIED acquired=true ownerDied=false");
        }
    }

    @Test
    void aLiveHolderInAnotherNamespaceIsNotTakenOverAndAKilledOneIs() throws Exception {
        NamedMutex mutex = createMutex("nsthere");
        try (ChildJvm holder = ChildJvm.startInPidNamespace(MutexHolderTestApp.class, mutex.name(), "hold")) {
            holder.awaitOutput("HELD", Duration.ofSeconds(60));
            // the holder is pid 1 of its namespace: here that pid is init, or nothing of ours
            assertThat(holder.output()).contains("HELD 1 ownerDied=false");
            assertThat(mutex.tryAcquire()).isFalse();
            assertThat(mutex.tryAcquire(Duration.ofMillis(200))).as("a live holder elsewhere").isFalse();
            assertThat(mutex.ownerPid()).hasValue(1);
            assertThat(mutex.ownerDied()).isFalse();
            // a third party in yet another namespace does not take it either
            try (ChildJvm third = ChildJvm.startInPidNamespace(MutexHolderTestApp.class, mutex.name(), "try")) {
                assertThat(third.waitFor(Duration.ofSeconds(60))).as(third.output()).isZero();
                assertThat(third.output()).contains("TRIED acquired=false");
            }
            holder.killHard();
            assertThat(mutex.tryAcquire(Duration.ofSeconds(10))).as("the holder was killed with -9").isTrue();
            assertThat(mutex.ownerDied()).isTrue();
            assertThat(mutex.deadOwnerPid()).as("the pid it had in its own namespace").hasValue(1);
            assertThat(mutex.recoveries()).isEqualTo(1);
            mutex.release();
        }
        assertThat(mutex.tryAcquire()).isTrue();
        assertThat(mutex.ownerDied()).as("a clean release ends the recovery").isFalse();
        mutex.release();
    }
}
