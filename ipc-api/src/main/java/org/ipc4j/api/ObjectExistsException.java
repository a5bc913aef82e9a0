package org.ipc4j.api;

/** An exclusive create ({@link OpenMode#CREATE}) found the name already in use. */
public class ObjectExistsException extends IpcException {
    private static final long serialVersionUID = 1L;

    public ObjectExistsException(String message) {
        super(message);
    }
}
