package org.ipc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    /** A child that prints its arguments, then exits with the code given as the first one, or sleeps. */
    public static final class ExitTestApp {
        public static void main(String[] args) throws Exception {
            System.out.println("args=" + String.join(",", args));
            if (args[0].equals("sleep")) {
                Thread.sleep(60_000);
            }
            System.exit(Integer.parseInt(args[0]));
        }
    }

    @Test
    void runsAMainWithTheTestClassPathAndReportsTheExitCode() throws Exception {
        try (ChildJvm child = ChildJvm.start(ExitTestApp.class, "3", "x y")) {
            assertThat(child.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
            assertThat(child.output()).contains("args=3,x y");
        }
    }

    @Test
    void killHardEndsAChildAndAwaitOutputSeesItsLines() throws Exception {
        try (ChildJvm child = ChildJvm.start(ExitTestApp.class, "sleep")) {
            child.awaitOutput("args=sleep", Duration.ofSeconds(30));
            child.killHard();
            assertThat(child.isAlive()).isFalse();
            assertThat(child.process().exitValue()).as("SIGKILL").isEqualTo(137);
        }
    }

    @Test
    void waitingTooLongIsAFailureThatShowsTheOutput() throws Exception {
        try (ChildJvm child = ChildJvm.start(ExitTestApp.class, "sleep")) {
            child.awaitOutput("args=", Duration.ofSeconds(30));
            assertThatThrownBy(() -> child.waitFor(Duration.ofMillis(100)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("args=sleep");
            assertThat(child.isAlive()).isFalse();
        }
    }
}
