package org.ipc4j.api;

/** An open of an existing object ({@link OpenMode#OPEN}) found no object of that name. */
public class NoSuchObjectException extends IpcException {
    private static final long serialVersionUID = 1L;

    public NoSuchObjectException(String message) {
        super(message);
    }
}
