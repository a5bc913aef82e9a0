package org.ipc4j.shm;

import static org.ipc4j.testkit.WithoutJna.check;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.OpenOptions;
import org.ipc4j.api.UnsupportedPlatformException;
import org.ipc4j.shm.internal.RegionFiles;
import org.ipc4j.testkit.WithoutJna;

/**
 * Run by {@link SharedMemoryWithoutJnaTest} in a JVM without JNA on the class path, with
 * {@code ipc4j.shm.dir} set to an empty directory: opening a region, by the API or by address, throws
 * {@link UnsupportedPlatformException} saying JNA is missing, the capability says so too, and no file is
 * left behind. Exit 0 when all holds; a linkage error (or anything else) ends it with a stack trace and
 * exit 1.
 */
public final class NoJnaTestApp {
    private NoJnaTestApp() {
    }

    public static void main(String[] args) throws Exception {
        check(!WithoutJna.jnaLoadable(), "JNA must not be on this class path");
        Path dir = Path.of(System.getProperty(RegionFiles.DIR_PROPERTY));
        try (SharedMemory region = SharedMemory.open("nojna", 4096, OpenOptions.create().unlinkOnClose(true))) {
            check(false, "opened without JNA: " + region);
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().startsWith("shared memory regions are not available here: JNA"), e.getMessage());
        }
        try (var channel = Ipc.open("shm:nojna2?mode=create&unlink=true")) {
            check(false, "opened without JNA: " + channel);
        } catch (UnsupportedPlatformException e) {
            check(e.getMessage().contains("JNA (net.java.dev.jna:jna) is not on the class path"), e.getMessage());
        }
        Capability capability = Ipc.capability("shm");
        check(!capability.supported() && capability.reason().startsWith("JNA"), "capability: " + capability);
        try (var entries = Files.list(dir)) {
            check(entries.findAny().isEmpty(), "files left in " + dir);
        }
        System.out.println("OK");
    }
}
