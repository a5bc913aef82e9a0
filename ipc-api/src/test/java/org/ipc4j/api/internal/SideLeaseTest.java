package org.ipc4j.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipc4j.api.LimitReachedException;
import org.ipc4j.api.Role;
import org.ipc4j.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SideLeaseTest {
    @TempDir
    Path dir;

    /** Takes a side of the lease file args[0] (role args[1]), prints it, then holds it until killed. */
    public static final class HolderTestApp {
        public static void main(String[] args) throws Exception {
            SideLease lease = SideLease.take(Path.of(args[0]), Role.parse(args[1]), 0600, "test");
            System.out.println("holding " + lease.side() + " partner=" + lease.partnerPresentAtOpen());
            Thread.sleep(60_000);
        }
    }

    @Test
    void firstOpenerTakesAAndTheSecondBThenBothAreHeld() throws Exception {
        Path file = dir.resolve("x.lease");
        try (SideLease first = SideLease.take(file, Role.AUTO, 0600, "test");
                SideLease second = SideLease.take(file, Role.AUTO, 0600, "test")) {
            assertThat(first.side()).isEqualTo(Role.A);
            assertThat(first.partnerPresentAtOpen()).isFalse();
            assertThat(second.side()).isEqualTo(Role.B);
            assertThat(second.partnerPresentAtOpen()).isTrue();
            assertThat(first.partnerHeld()).isTrue();
            assertThatThrownBy(() -> SideLease.take(file, Role.AUTO, 0600, "test"))
                    .isInstanceOf(LimitReachedException.class).hasMessageContaining("both sides are held");
            assertThatThrownBy(() -> SideLease.take(file, Role.B, 0600, "test"))
                    .isInstanceOf(LimitReachedException.class).hasMessageContaining("side B is held");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
    }

    @Test
    void aCloseMarkTellsTheSurvivorClosedFromDiedAndATakerClearsIt() throws Exception {
        Path file = dir.resolve("m.lease");
        try (SideLease b = SideLease.take(file, Role.B, 0600, "test")) {
            SideLease a = SideLease.take(file, Role.A, 0600, "test");
            assertThat(b.partnerClosedCleanly()).as("a partner that is open").isFalse();
            a.markClosing();
            a.close();
            assertThat(b.partnerClosedCleanly()).as("a partner that closed").isTrue();
            try (SideLease restarted = SideLease.take(file, Role.AUTO, 0600, "test")) {
                assertThat(restarted.side()).isEqualTo(Role.A);
                assertThat(b.partnerClosedCleanly()).as("the side taken again").isFalse();
                restarted.close(); // released without the mark: as a death looks
                assertThat(b.partnerClosedCleanly()).as("a partner that went without closing").isFalse();
            }
        }
    }

    @Test
    void theLastCleanCloseEndsTheSessionAndTheNextPairStartsFresh() throws Exception {
        Path file = dir.resolve("y.lease");
        AtomicInteger ended = new AtomicInteger();
        SideLease a = SideLease.take(file, Role.AUTO, 0600, "test");
        SideLease b = SideLease.take(file, Role.AUTO, 0600, "test");
        assertThat(a.close(ended::incrementAndGet)).as("partner still holds B").isFalse();
        assertThat(b.partnerHeld()).isFalse();
        assertThat(Files.exists(file)).isTrue();
        assertThat(b.close(ended::incrementAndGet)).isTrue();
        assertThat(b.close(ended::incrementAndGet)).as("idempotent").isFalse();
        assertThat(ended).hasValue(1);
        assertThat(Files.exists(file)).isFalse();
        try (SideLease again = SideLease.take(file, Role.AUTO, 0600, "test")) {
            assertThat(again.side()).isEqualTo(Role.A);
            assertThat(again.partnerPresentAtOpen()).isFalse();
        }
    }

    @Test
    void aSideHeldByAnotherLiveProcessIsNotTakenAndIsFreeOnceItIsKilled() throws Exception {
        Path file = dir.resolve("z.lease");
        try (ChildJvm child = ChildJvm.start(HolderTestApp.class, file.toString(), "auto")) {
            child.awaitOutput("holding A partner=false", Duration.ofSeconds(30));
            try (SideLease mine = SideLease.take(file, Role.AUTO, 0600, "test")) {
                assertThat(mine.side()).isEqualTo(Role.B);
                assertThat(mine.partnerPresentAtOpen()).isTrue();
                assertThatThrownBy(() -> SideLease.take(file, Role.A, 0600, "test"))
                        .isInstanceOf(LimitReachedException.class);
                child.killHard();
                assertThat(mine.partnerHeld()).as("the kernel dropped the killed holder's lock").isFalse();
                try (SideLease restarted = SideLease.take(file, Role.AUTO, 0600, "test")) {
                    assertThat(restarted.side()).isEqualTo(Role.A);
                    assertThat(restarted.partnerPresentAtOpen()).isTrue();
                }
            }
        }
    }

    @Test
    void aLeaseFilePlantedAsALinkOrOwnedByAnotherUserIsRefused() throws Exception {
        Path target = dir.resolve("target");
        Files.createFile(target);
        Path link = dir.resolve("link.lease");
        Files.createSymbolicLink(link, target);
        assertThatThrownBy(() -> SideLease.take(link, Role.AUTO, 0600, "test"))
                .isInstanceOf(org.ipc4j.api.PermissionDeniedException.class).hasMessageContaining("symbolic link");
        assertThat(Files.size(target)).isZero();

        Path foreign = dir.resolve("foreign.lease");
        Files.createFile(foreign);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0),
                "changing a file's owner needs root");
        Files.setAttribute(foreign, "unix:uid", 65534);
        assertThatThrownBy(() -> SideLease.take(foreign, Role.AUTO, 0600, "test"))
                .isInstanceOf(org.ipc4j.api.PermissionDeniedException.class).hasMessageContaining("belongs to uid 65534");
    }

    @Test
    void racingOpenersAndClosersNeverShareASide() throws Exception {
        Path file = dir.resolve("race.lease");
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger[] holders = {new AtomicInteger(), new AtomicInteger()};
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        SideLease lease;
                        try {
                            lease = SideLease.take(file, Role.AUTO, 0600, "test");
                        } catch (LimitReachedException full) {
                            continue;
                        }
                        AtomicInteger count = holders[lease.side() == Role.A ? 0 : 1];
                        if (count.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        count.decrementAndGet();
                        lease.close(() -> { });
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            w.start();
            workers.add(w);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        assertThat(overlaps).hasValue(0);
        assertThat(Files.exists(file)).as("the last close ended the session").isFalse();
    }
}
