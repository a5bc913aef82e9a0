package org.ipc4j.api;

/** An open of an existing object ({@link OpenMode#OPEN}) found no object of that name. */
public class NoSuchObjectException extends IpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Reports a name that no object has.
     *
     * @param message the name looked for and where
     */
    public NoSuchObjectException(String message) {
        super(message);
    }
}
