package org.ipc4j.socket;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds external programs the interoperability tests use, on the PATH. */
final class Tools {
    private Tools() {
    }

    /** Whether {@code program} is an executable on the PATH. */
    static boolean available(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
