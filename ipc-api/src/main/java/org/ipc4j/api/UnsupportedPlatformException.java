package org.ipc4j.api;

/** The mechanism does not exist, or is not implemented, on this operating system or architecture. */
public class UnsupportedPlatformException extends IpcException {
    private static final long serialVersionUID = 1L;

    public UnsupportedPlatformException(String message) {
        super(message);
    }
}
