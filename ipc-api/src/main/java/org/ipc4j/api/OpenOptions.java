package org.ipc4j.api;

import java.util.Objects;

/**
 * How to open a named object: the {@link OpenMode}, the permission bits a new object gets, and whether
 * closing this endpoint also removes the name. Immutable; the {@code with}-style methods return copies.
 *
 * <pre>{@code
 * OpenOptions.create().unlinkOnClose(true)        // a private object, gone with its creator
 * OpenOptions.openOrCreate().permissions(0660)    // shared with the owner's group
 * }</pre>
 *
 * <p>The default permissions are {@code 0600}: only the owner's processes may open the object.
 */
public final class OpenOptions {
    /** Owner read and write, nothing for anyone else. */
    public static final int OWNER_ONLY = 0600;

    private final OpenMode mode;
    private final int permissions;
    private final boolean unlinkOnClose;

    private OpenOptions(OpenMode mode, int permissions, boolean unlinkOnClose) {
        this.mode = mode;
        this.permissions = permissions;
        this.unlinkOnClose = unlinkOnClose;
    }

    /** Options with the given mode, owner-only permissions, and no unlink on close. */
    public static OpenOptions of(OpenMode mode) {
        return new OpenOptions(Objects.requireNonNull(mode, "mode"), OWNER_ONLY, false);
    }

    /** Exclusive create: fails if the name exists. */
    public static OpenOptions create() {
        return of(OpenMode.CREATE);
    }

    /** Open an existing object only. */
    public static OpenOptions open() {
        return of(OpenMode.OPEN);
    }

    /** Open an existing object or create it. */
    public static OpenOptions openOrCreate() {
        return of(OpenMode.OPEN_OR_CREATE);
    }

    /**
     * The permission bits of a newly created object (ignored when an existing object is opened), as an
     * octal literal such as {@code 0600}. Only read and write bits of owner, group and other are allowed.
     *
     * @throws IllegalArgumentException for bits outside {@code 0666}
     */
    public OpenOptions permissions(int bits) {
        if ((bits & ~0666) != 0) {
            throw new IllegalArgumentException("permissions must use only the read/write bits 0666, got 0"
                    + Integer.toOctalString(bits));
        }
        return new OpenOptions(mode, bits, unlinkOnClose);
    }

    /** Whether closing the endpoint also removes the name (see {@link NamedObject#unlink()}). */
    public OpenOptions unlinkOnClose(boolean unlink) {
        return new OpenOptions(mode, permissions, unlink);
    }

    /**
     * How the open treats an existing or missing object.
     *
     * @return the open mode
     */
    public OpenMode mode() {
        return mode;
    }

    /**
     * The permission bits of a newly created object (default {@code 0600}).
     *
     * @return the mode bits, e.g. {@code 0600}
     */
    public int permissions() {
        return permissions;
    }

    /**
     * Whether closing the endpoint also removes the name.
     *
     * @return {@code true} if the name goes with the endpoint
     */
    public boolean unlinkOnClose() {
        return unlinkOnClose;
    }

    /** Whether the mode may create the object. */
    public boolean mayCreate() {
        return mode != OpenMode.OPEN;
    }

    @Override
    public String toString() {
        return "OpenOptions[" + mode + ", 0" + Integer.toOctalString(permissions)
                + (unlinkOnClose ? ", unlinkOnClose" : "") + "]";
    }
}
