package org.ipc4j.pipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ipc4j.api.Channel;
import org.ipc4j.api.PeerGoneException;
import org.ipc4j.testkit.ChildJvm;
import org.ipc4j.testkit.NamedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a Java child is launched and what is said when it dies: a parent on the module path starts its child
 * from the module path, a child's standard error reaches the user even with no SLF4J binding, and a child's
 * death is reported with the end of its standard error.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChildProcessLaunchIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final NamedObjects names = new NamedObjects();

    /** A child that opens its channel, says why it gives up on standard error, and exits with 3. */
    public static final class DiesWithAReason {
        public static void main(String[] args) throws Exception {
            ParentChannel.open();
            System.err.println("loading the configuration failed: /nonexistent.conf");
            for (int i = 1; i <= 30; i++) {
                System.err.println("context line " + i);
            }
            System.exit(3);
        }
    }

    @Test
    void theDeathOfAChildCarriesTheEndOfItsStandardError() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcess.javaBuilder(DiesWithAReason.class)
                .classPath(ChildJvm.testClassPath()).jvmOptions(ChildJvm.DEFAULT_JVM_OPTIONS).start())) {
            assertThatThrownBy(() -> child.channel().receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 3; the end of its standard error:")
                    .hasMessageContaining("context line 30")
                    .as("only the last %d lines", ChildStderr.TAIL_LINES).hasMessageNotContaining("context line 10\n");
        }
    }

    @Test
    void aChildThatCannotStartSaysWhyInThePeerGoneException() throws Exception {
        try (ChildProcess child = names.closeAfter(ChildProcess.javaBuilder("org.example.NoSuchMain")
                .classPath(ChildJvm.testClassPath()).jvmOptions(ChildJvm.DEFAULT_JVM_OPTIONS).start())) {
            assertThatThrownBy(() -> child.channel().receive(PATIENCE)).isInstanceOf(PeerGoneException.class)
                    .hasMessageContaining("exited with code 1")
                    .hasMessageContaining("Could not find or load main class org.example.NoSuchMain");
        }
    }

    @Test
    void javaLaunchUsesTheModulePathForAClassOfANamedModule() {
        assertThat(JavaLaunch.mainArguments("", "/m", "app", "app.Main"))
                .containsExactly("--module-path", "/m", "-m", "app/app.Main");
        assertThat(JavaLaunch.mainArguments("/c", null, null, "app.Main")).containsExactly("-cp", "/c", "app.Main");
        assertThat(JavaLaunch.mainArguments("/c", "/m", null, "app.Main"))
                .containsExactly("--module-path", "/m", "-cp", "/c", "--add-modules", "ALL-MODULE-PATH", "app.Main");
        assertThat(JavaLaunch.moduleOf("app/app.Main")).isEqualTo("app");
        assertThat(JavaLaunch.moduleOf("java.lang.Object")).isEqualTo("java.base");
        assertThat(JavaLaunch.moduleOf(DiesWithAReason.class.getName())).as("the test runs on the class path").isNull();
        assertThat(JavaLaunch.className("app/app.Main")).isEqualTo("app.Main");
    }

    private static final String PARENT = """
            package modtest;

            import java.nio.charset.StandardCharsets;
            import org.ipc4j.api.PeerGoneException;
            import org.ipc4j.pipe.ChildProcess;

            public final class Parent {
                public static void main(String[] args) throws Exception {
                    try (ChildProcess child = ChildProcess.startJava(Child.class)) {
                        child.channel().send("ping".getBytes(StandardCharsets.UTF_8));
                        System.out.println("reply: " + new String(child.channel().receive(), StandardCharsets.UTF_8));
                        try {
                            child.channel().receive();
                        } catch (PeerGoneException e) {
                            System.out.println("gone: " + e.getMessage().replace('\\n', '|'));
                        }
                    }
                }
            }
            """;

    private static final String CHILD = """
            package modtest;

            import org.ipc4j.api.Channel;
            import org.ipc4j.pipe.ParentChannel;

            public final class Child {
                public static void main(String[] args) throws Exception {
                    Channel parent = ParentChannel.open();
                    byte[] message = parent.receive();
                    System.err.println("child on the module path: " + Child.class.getModule().getName());
                    parent.send(message);
                    parent.close();
                    System.exit(5);
                }
            }
            """;

    /**
     * A parent started with {@code --module-path ... -m}, its main class in a named module, starts a child with
     * {@code startJava}: the child runs from the same module, and its standard error, with no SLF4J binding in
     * the parent, reaches the parent's standard error.
     */
    @Test
    void aParentOnTheModulePathStartsItsChildOnTheModulePath(@TempDir Path dir) throws Exception {
        String libraries = String.join(File.pathSeparator, locationOf(ChildProcess.class),
                locationOf(Channel.class), locationOf(com.sun.jna.Native.class),
                locationOf(org.slf4j.LoggerFactory.class));
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("modtest"));
        Files.writeString(src.resolve("module-info.java"), "module modtest { requires org.ipc4j.pipe; }");
        Files.writeString(src.resolve("modtest/Parent.java"), PARENT);
        Files.writeString(src.resolve("modtest/Child.java"), CHILD);
        Path classes = dir.resolve("classes");
        // the javac launcher, not javax.tools: the tests are compiled into org.ipc4j.pipe, which does not read it
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", classes.toString(), "--module-path", libraries,
                src.resolve("module-info.java").toString(), src.resolve("modtest/Parent.java").toString(),
                src.resolve("modtest/Child.java").toString()).redirectErrorStream(true).start();
        String compilerOutput = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(javac.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(javac.exitValue()).as("the test module compiles: %s", compilerOutput).isZero();

        List<String> command = new ArrayList<>();
        command.add(ChildJvm.javaExecutable().toString());
        command.addAll(ChildJvm.DEFAULT_JVM_OPTIONS);
        command.addAll(List.of("--module-path", classes + File.pathSeparator + libraries, "-m", "modtest/modtest.Parent"));
        Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = parent.getInputStream().readAllBytes();
            assertThat(parent.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            String output = new String(out, StandardCharsets.UTF_8);
            assertThat(output).as(output).contains("reply: ping")
                    .contains("child on the module path: modtest")
                    .contains("gone: child Child (pid ").contains("exited with code 5")
                    .doesNotContain("Could not find or load main class");
            assertThat(parent.exitValue()).as(output).isZero();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static String locationOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
