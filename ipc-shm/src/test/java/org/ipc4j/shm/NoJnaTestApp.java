package org.ipc4j.shm;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.shm.internal.RegionFiles;

/**
 * Run by {@link SharedMemoryWithoutJnaTest} in a JVM without JNA on the class path, with
 * {@code ipc4j.shm.dir} set to an empty directory: opening a region, by the API or by address, throws
 * {@link UnsupportedPlatformException} saying JNA is missing, and leaves no file behind. Exit 0 when all
 * holds; a linkage error (or anything else) ends it with a stack trace and exit 1.
 */
public final class NoJnaTestApp {
    private NoJnaTestApp() {
    }

    public static void main(String[] args) throws Exception {
        check(!canLoad("com.sun.jna.Native"), "JNA must not be on this class path");
        Path dir = Path.of(System.getProperty(RegionFiles.DIR_PROPERTY));
        try (SharedMemory region = SharedMemory.open("nojna", 4096, OpenOptions.create().unlinkOnClose(true))) {
            check(false, "opened without JNA: " + region);
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().startsWith("shared memory regions are not available here: JNA"), e.getMessage());
            System.out.println("api: " + e.getMessage());
        }
        try (var channel = Ipc.open("shm:nojna2?mode=create&unlink=true")) {
            check(false, "opened without JNA: " + channel);
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().contains("JNA (net.java.dev.jna:jna) is not on the class path"), e.getMessage());
            System.out.println("uri: " + e.getMessage());
        }
        var capability = Ipc.capability("shm");
        check(!capability.supported() && capability.reason().startsWith("JNA"), "capability: " + capability);
        try (var entries = Files.list(dir)) {
            check(entries.findAny().isEmpty(), "files left in " + dir);
        }
        System.out.println("OK");
    }

    private static boolean canLoad(String name) {
        try {
            Class.forName(name, false, NoJnaTestApp.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            System.out.println("FAILED: " + what);
            System.exit(1);
        }
    }
}
