package org.ipc4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.ipc4j.api.spi.TransportProvider;

/**
 * Entry points that open any mechanism by address, so that switching transport is a configuration change:
 *
 * <pre>{@code
 * try (Channel ch = Ipc.open("shm:orders?capacity=1m")) {
 *     ch.send("hello".getBytes(StandardCharsets.UTF_8));
 * }
 * }</pre>
 *
 * Transports are found with {@link ServiceLoader}; each lives in its own artifact. An address whose module
 * is missing gets an error naming the artifact to add. The concrete types of each module (for example
 * {@code org.ipc4j.mqueue.MessageQueue}) offer more than an address can say.
 */
public final class Ipc {

    /** The schemes ipc4j defines, with the mechanism and the artifact that provides each. */
    private static final Map<String, String[]> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("shm", new String[] {"shared-memory ring", "org.ipc4j:ipc-shm"});
        KNOWN.put("mq", new String[] {"POSIX message queue", "org.ipc4j:ipc-mqueue"});
        KNOWN.put("fifo", new String[] {"named pipe (FIFO)", "org.ipc4j:ipc-pipe"});
        KNOWN.put("unix", new String[] {"Unix domain socket", "org.ipc4j:ipc-socket"});
        KNOWN.put("tcp", new String[] {"TCP socket", "org.ipc4j:ipc-socket"});
        KNOWN.put("udp", new String[] {"UDP socket", "org.ipc4j:ipc-socket"});
        KNOWN.put("sem", new String[] {"named semaphore", "org.ipc4j:ipc-semaphore"});
    }

    private Ipc() {
    }

    /**
     * Opens a message channel by address, e.g. {@code shm:orders}, {@code mq:/jobs}, {@code tcp://127.0.0.1:7000}.
     * The caller owns the channel and must close it.
     *
     * @param uri the address: scheme, name and parameters (see the scheme's page in docs/)
     * @return the open channel
     * @throws IllegalArgumentException for a malformed address, an unknown scheme or parameter
     * @throws UnsupportedPlatformException if the module is missing or the mechanism does not work here
     * @throws IpcException if opening failed
     */
    public static Channel open(String uri) throws IpcException {
        IpcUri parsed = IpcUri.parse(uri);
        return provider(parsed.scheme()).openChannel(parsed);
    }

    /**
     * Opens a synchronisation object by address, e.g. {@code sem:/lock?initial=1}. The caller owns it.
     *
     * @param uri the address: scheme, name and parameters (see docs/semaphores.md)
     * @return the open synchronisation object
     * @throws IllegalArgumentException for a malformed address, an unknown scheme or parameter
     * @throws UnsupportedPlatformException if the module is missing or the mechanism does not work here
     * @throws IpcException if opening failed
     */
    public static Sync openSync(String uri) throws IpcException {
        IpcUri parsed = IpcUri.parse(uri);
        return provider(parsed.scheme()).openSync(parsed);
    }

    /**
     * Every mechanism ipc4j defines and whether it works in this process: a missing module, an unsupported
     * operating system or a failed native probe is reported with its reason.
     *
     * @return one entry per scheme, the known ones first
     */
    public static List<Capability> capabilities() {
        Map<String, TransportProvider> found = providers();
        List<Capability> result = new ArrayList<>();
        for (Map.Entry<String, String[]> e : KNOWN.entrySet()) {
            TransportProvider p = found.get(e.getKey());
            result.add(p != null ? p.capability(e.getKey())
                    : new Capability(e.getKey(), e.getValue()[0], e.getValue()[1], false,
                            "module not on the class path: add " + e.getValue()[1]));
        }
        for (Map.Entry<String, TransportProvider> e : found.entrySet()) {
            if (!KNOWN.containsKey(e.getKey())) {
                result.add(e.getValue().capability(e.getKey()));
            }
        }
        return result;
    }

    /**
     * The capability of one scheme.
     *
     * @param scheme the scheme, e.g. {@code "shm"}; case does not matter
     * @return whether it works here, and why not
     * @throws IllegalArgumentException if no such scheme is known
     */
    public static Capability capability(String scheme) {
        return capabilities().stream().filter(c -> c.scheme().equalsIgnoreCase(scheme)).findFirst()
                .orElseThrow(() -> unknownScheme(scheme));
    }

    static TransportProvider provider(String scheme) throws UnsupportedPlatformException {
        TransportProvider p = providers().get(scheme);
        if (p != null) {
            return p;
        }
        String[] known = KNOWN.get(scheme);
        if (known != null) {
            throw new UnsupportedPlatformException(scheme + ": (" + known[0] + ") needs the module " + known[1]
                    + ", which is not on the class path or module path");
        }
        throw unknownScheme(scheme);
    }

    private static IllegalArgumentException unknownScheme(String scheme) {
        return new IllegalArgumentException("unknown ipc4j scheme \"" + scheme + ":\"; known schemes are "
                + String.join(", ", KNOWN.keySet()));
    }

    private static Map<String, TransportProvider> providers() {
        Map<String, TransportProvider> map = new LinkedHashMap<>();
        collect(ServiceLoader.load(TransportProvider.class, Ipc.class.getClassLoader()), map);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != Ipc.class.getClassLoader()) {
            collect(ServiceLoader.load(TransportProvider.class, context), map);
        }
        return map;
    }

    private static void collect(ServiceLoader<TransportProvider> loader, Map<String, TransportProvider> map) {
        for (TransportProvider p : loader) {
            for (String s : p.schemes()) {
                map.putIfAbsent(s, p);
            }
        }
    }
}
