package org.ipc4j.api.internal;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Octal permission bits ({@code 0600}) as the JDK's {@link PosixFilePermission} sets and back, written once
 * for every module that creates a named file with {@code java.nio.file} (a FIFO's mode fix-up, a mutex's
 * owner record, a lease file, a Unix socket file). Pure Java; parsing the bits from an address is {@link org.ipc4j.api.IpcUri#openOptions}'s job.
 */
public final class FileModes {
    /** Bit 8 (0400) first: owner read, owner write, ..., others execute. */
    private static final PosixFilePermission[] BY_BIT = {
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE,
    };

    private FileModes() {
    }

    /**
     * The permissions of the low nine bits of {@code mode}, e.g. 0640 as owner read/write and group read.
     *
     * @throws IllegalArgumentException for bits outside 0777 (set-uid, sticky, file type)
     */
    public static Set<PosixFilePermission> toPermissions(int mode) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("permission bits must be within 0777, got 0" + Integer.toOctalString(mode));
        }
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BY_BIT.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(BY_BIT[i]);
            }
        }
        return set;
    }

    /** The bits of a permission set, e.g. 0640. */
    public static int toMode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int i = 0; i < BY_BIT.length; i++) {
            if (permissions.contains(BY_BIT[i])) {
                mode |= 0400 >> i;
            }
        }
        return mode;
    }

    /** {@link #toPermissions} as the attribute {@code Files.createFile} and {@code FileChannel.open} take. */
    public static FileAttribute<Set<PosixFilePermission>> attribute(int mode) {
        return PosixFilePermissions.asFileAttribute(toPermissions(mode));
    }
}
