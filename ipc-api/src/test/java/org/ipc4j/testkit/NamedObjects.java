package org.ipc4j.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that hands out unique names for kernel objects and removes whatever a test created,
 * even when the test fails. After the clean-up actions run it looks in {@code /dev/shm} and
 * {@code /dev/mqueue} for entries that still carry one of the test's names, deletes them, and fails the
 * test: a leak is a defect of the code under test (or of the test), never something to sweep up silently.
 *
 * <pre>{@code
 * @RegisterExtension final NamedObjects names = new NamedObjects();
 *
 * String q = names.unique("jobs");                // e.g. "ipc4j-jobs-12345-7"
 * names.onCleanup(() -> MessageQueue.unlink(q));   // runs after the test, in reverse order
 * }</pre>
 */
public final class NamedObjects implements AfterEachCallback {
    /** Directories where Linux shows named POSIX objects. */
    private static final List<Path> KERNEL_DIRECTORIES = List.of(Path.of("/dev/shm"), Path.of("/dev/mqueue"));
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** A clean-up action that may throw. */
    @FunctionalInterface
    public interface Cleanup {
        void run() throws Exception;
    }

    private final Deque<Cleanup> cleanups = new ArrayDeque<>();
    private final List<String> names = new ArrayList<>();
    private final boolean checkLeaks;

    /** Removes what tests register and fails a test that leaks a name into {@code /dev/shm} or {@code /dev/mqueue}. */
    public NamedObjects() {
        this(true);
    }

    /** @param checkLeaks whether to fail tests that leave kernel objects behind */
    public NamedObjects(boolean checkLeaks) {
        this.checkLeaks = checkLeaks;
    }

    /**
     * A name unique to this process and call, at most 30 characters, valid for every kind of named object:
     * {@code ipc4j-PREFIX-PID-N}. The prefix is cut to 8 characters.
     */
    public synchronized String unique(String prefix) {
        String p = prefix.length() > 8 ? prefix.substring(0, 8) : prefix;
        String name = "ipc4j-" + p + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        names.add(name);
        return name;
    }

    /** A path in the system temporary directory with a unique file name ending in {@code suffix}, deleted after the test. */
    public synchronized Path uniquePath(String prefix, String suffix) {
        Path path = Path.of(System.getProperty("java.io.tmpdir"), unique(prefix) + suffix);
        deleteAfter(path);
        // the lock file a Unix socket listener keeps beside its socket file, should a test kill the listener
        deleteAfter(path.resolveSibling("." + path.getFileName() + ".lock"));
        return path;
    }

    /**
     * A new, empty directory of this test's own (owner-only) under {@code java.io.tmpdir}, removed with whatever
     * is left in it after the test: for tests that look at the neighbours of the files they make, which in a
     * shared directory may be anybody's.
     */
    public Path uniqueDirectory(String prefix) throws IOException {
        Path dir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), unique(prefix)),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        onCleanup(() -> {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        });
        return dir;
    }

    /** Registers an action to run after the test; actions run in reverse order of registration. */
    public synchronized void onCleanup(Cleanup cleanup) {
        cleanups.push(cleanup);
    }

    /** Closes {@code closeable} after the test. Returns it, for inline use. */
    public <T extends AutoCloseable> T closeAfter(T closeable) {
        onCleanup(closeable::close);
        return closeable;
    }

    /** Deletes {@code path} (if it exists) after the test. */
    public void deleteAfter(Path path) {
        onCleanup(() -> Files.deleteIfExists(path));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<Throwable> failures = new ArrayList<>();
        runCleanups(failures);
        if (checkLeaks) {
            List<Path> leaked = removeLeftovers();
            if (!leaked.isEmpty()) {
                failures.add(new AssertionError("the test left named kernel objects behind (now removed): " + leaked));
            }
        }
        synchronized (this) {
            names.clear();
        }
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) {
                first.addSuppressed(failures.get(i));
            }
            if (first instanceof Exception e) {
                throw e;
            }
            throw (Error) first;
        }
    }

    private void runCleanups(List<Throwable> failures) {
        while (true) {
            Cleanup next;
            synchronized (this) {
                next = cleanups.poll();
            }
            if (next == null) {
                return;
            }
            try {
                next.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        }
    }

    /** Deletes entries of the kernel directories that carry one of this test's names; returns them. */
    private List<Path> removeLeftovers() throws IOException {
        List<String> mine;
        synchronized (this) {
            mine = List.copyOf(names);
        }
        List<Path> leaked = new ArrayList<>();
        if (mine.isEmpty()) {
            return leaked;
        }
        for (Path dir : KERNEL_DIRECTORIES) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String file = entry.getFileName().toString();
                    for (String name : mine) {
                        // ".NAME.*": the hidden companions of a name (a lease file, a region being built)
                        if (file.equals(name) || file.startsWith(name + ".") || file.endsWith("." + name)
                                || file.startsWith(name + "-") || file.startsWith("." + name + ".")) {
                            leaked.add(entry);
                            Files.deleteIfExists(entry);
                            break;
                        }
                    }
                }
            }
        }
        return leaked;
    }
}
