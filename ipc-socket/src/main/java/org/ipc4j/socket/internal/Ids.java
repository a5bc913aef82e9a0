package org.ipc4j.socket.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resolves a user or group name to its numeric id without native code. */
public final class Ids {
    private Ids() {
    }

    /** The uid of a user name: the name itself when numeric, else from /etc/passwd; -1 if unknown. */
    public static int uid(String name) {
        return lookup(name, Path.of("/etc/passwd"));
    }

    /** The gid of a group name: the name itself when numeric, else from /etc/group; -1 if unknown. */
    public static int gid(String name) {
        return lookup(name, Path.of("/etc/group"));
    }

    private static int lookup(String name, Path file) {
        if (name.chars().allMatch(Character::isDigit) && !name.isEmpty() && name.length() < 10) {
            return Integer.parseInt(name);
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines) {
                // name:password:id:...
                String[] f = line.split(":", 4);
                if (f.length >= 3 && f[0].equals(name)) {
                    return Integer.parseInt(f[2].trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
