package org.ipc4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.stream.Collectors;
import org.ipc4j.testkit.InMemorySync;
import org.ipc4j.testkit.SyncContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The Sync contract has teeth: a Sync that lets two parties in at once, or whose waiter sleeps through its
 * endpoint's close, fails the case written for it; the reference Sync passes when run the same way.
 */
class BrokenSyncsTest {

    @Test
    void theReferenceSyncPasses() {
        TestExecutionSummary summary = run(Reference.class);
        String failures = summary.getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
                .collect(Collectors.joining("\n"));
        assertThat(summary.getTotalFailureCount()).as(failures).isZero();
        assertThat(summary.getTestsSucceededCount()).isGreaterThan(8);
    }

    @ParameterizedTest
    @CsvSource({
        "NotExclusive, acquireExcludesTheOtherPartyUntilRelease",
        "NotExclusive, twoEndpointsInThisJvmExcludeEachOther",
        "SleepsThroughClose, closeWakesAWaiterOnThatEndpoint",
        "HoldReleasesOnEveryClose, holdTakesAPermitThatClosingTheHoldGivesBackOnce"})
    void theCaseForTheDefectFails(String kit, String test) throws Exception {
        TestExecutionSummary summary = run(Class.forName(BrokenSyncsTest.class.getName() + "$" + kit));
        assertThat(summary.getFailures()).as("failures of %s", kit)
                .anySatisfy(f -> assertThat(f.getTestIdentifier().getDisplayName()).startsWith(test + "("));
    }

    private static TestExecutionSummary run(Class<?> kit) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(kit)).build(), listener);
        return listener.getSummary();
    }

    /** The contract over in-memory Syncs, possibly broken by {@link #broken}; run only through the launcher. */
    abstract static class Kit extends SyncContract {
        @Override
        protected SyncContract.Opener opener() {
            return address -> broken(InMemorySync.open(address));
        }

        Sync broken(Sync sync) {
            return sync;
        }

        @Override
        protected String newAddress() {
            String name = names.unique("sync");
            names.onCleanup(() -> InMemorySync.remove(name));
            return name;
        }

        @Override
        protected boolean opensInAnotherProcess() {
            return false;
        }

        @Override
        protected Duration patience() {
            return Duration.ofSeconds(3);
        }
    }

    static final class Reference extends Kit {
    }

    /** Every endpoint gets a permit: mutual exclusion is gone. */
    static final class NotExclusive extends Kit {
        @Override
        Sync broken(Sync sync) {
            return new Delegating(sync) {
                @Override
                public void acquire() throws IpcException {
                    inner.tryAcquire();
                }

                @Override
                public boolean tryAcquire() throws IpcException {
                    inner.tryAcquire();
                    return true;
                }
            };
        }
    }

    /** A waiting acquire polls on through a close of its endpoint, for up to 6 seconds. */
    static final class SleepsThroughClose extends Kit {
        @Override
        Sync broken(Sync sync) {
            return new Delegating(sync) {
                @Override
                public void acquire() throws IpcException, InterruptedIOException {
                    long giveUp = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                    while (System.nanoTime() < giveUp) {
                        try {
                            if (inner.tryAcquire()) {
                                return;
                            }
                        } catch (EndpointClosedException ignored) {
                            // the defect: keep waiting after close
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException();
                        }
                    }
                }
            };
        }
    }

    /** A hold whose close is not idempotent: each close returns a permit. */
    static final class HoldReleasesOnEveryClose extends Kit {
        @Override
        Sync broken(Sync sync) {
            return new Delegating(sync) {
                @Override
                public Hold hold() throws IpcException, InterruptedIOException {
                    inner.acquire();
                    return inner::release;
                }
            };
        }
    }

    /** Delegates every operation; subclasses override what they break. */
    static class Delegating implements Sync {
        final Sync inner;

        Delegating(Sync inner) {
            this.inner = inner;
        }

        @Override
        public void acquire() throws IpcException, InterruptedIOException {
            inner.acquire();
        }

        @Override
        public boolean tryAcquire() throws IpcException {
            return inner.tryAcquire();
        }

        @Override
        public boolean tryAcquire(Duration timeout) throws IpcException, InterruptedIOException {
            return inner.tryAcquire(timeout);
        }

        @Override
        public void release() throws IpcException {
            inner.release();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IpcException {
            inner.close();
        }
    }
}
