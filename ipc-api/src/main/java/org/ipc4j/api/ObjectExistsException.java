package org.ipc4j.api;

/** An exclusive create ({@link OpenMode#CREATE}) found the name already in use. */
public class ObjectExistsException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports a name already taken by an object.
     *
     * @param message the name and what holds it
     */
    public ObjectExistsException(String message) {
        super(message);
    }
}
