package org.ipc4j.api;

/** How to open a named object. */
public enum OpenMode {
    /** Create a new object; fail with {@link ObjectExistsException} if the name is taken (O_CREAT|O_EXCL). */
    CREATE,
    /** Open an existing object; fail with {@link NoSuchObjectException} if there is none. */
    OPEN,
    /** Open the object if it exists, otherwise create it. */
    OPEN_OR_CREATE
}
