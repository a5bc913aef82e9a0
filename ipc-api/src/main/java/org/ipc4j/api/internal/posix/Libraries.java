package org.ipc4j.api.internal.posix;

import com.sun.jna.NativeLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds, once per process, the shared library that provides a C function. glibc 2.34 moved the POSIX
 * message-queue and semaphore functions into libc itself; older systems keep {@code mq_*} in librt and
 * {@code sem_*} in libpthread (librt re-exports some of them). So a binding asks for the library that has
 * its key function, and every binding of the same function family gets the same answer.
 *
 * <p>Loading this class needs JNA: only the binding classes use it, after {@link NativeSupport} has found
 * JNA present.
 */
final class Libraries {
    /** In order of preference: the C library first (glibc 2.34+, musl, macOS's libSystem). */
    private static final List<String> CANDIDATES = List.of("c", "rt", "pthread");

    private static final Map<String, String> BY_SYMBOL = new ConcurrentHashMap<>();

    private Libraries() {
    }

    /**
     * The JVM's pointer width in bits, as JNA sees it (and {@code long} must be as wide: LP64). Loads JNA's
     * native library, nothing else.
     */
    static int addressBits() {
        return com.sun.jna.Native.POINTER_SIZE == 8 && com.sun.jna.Native.LONG_SIZE == 8 ? 64
                : 8 * Math.min(com.sun.jna.Native.POINTER_SIZE, com.sun.jna.Native.LONG_SIZE);
    }

    /**
     * The name (for {@code Native.load}) of the first library that exports {@code symbol}.
     *
     * @throws UnsatisfiedLinkError naming every library tried, if none has it
     */
    static String providing(String symbol) {
        String known = BY_SYMBOL.get(symbol);
        if (known != null) {
            return known;
        }
        List<String> tried = new ArrayList<>();
        for (String name : CANDIDATES) {
            String libraryName = name.equals("c") ? com.sun.jna.Platform.C_LIBRARY_NAME : name;
            try {
                NativeLibrary.getInstance(libraryName).getFunction(symbol);
                BY_SYMBOL.put(symbol, libraryName);
                return libraryName;
            } catch (UnsatisfiedLinkError e) {
                tried.add("lib" + name + " (" + e.getMessage() + ")");
            }
        }
        throw new UnsatisfiedLinkError("no library provides " + symbol + "; tried " + String.join(", ", tried));
    }

    /**
     * Registers the native methods of {@code directCalls} (JNA direct mapping) against the library that
     * exports {@code keySymbol}, and returns that library's name for the class's variadic interface.
     *
     * @throws UnsatisfiedLinkError if no library has the symbol, or one of the methods is missing there
     */
    static String register(Class<?> directCalls, String keySymbol) {
        String name = providing(keySymbol);
        com.sun.jna.Native.register(directCalls, NativeLibrary.getInstance(name));
        return name;
    }
}
