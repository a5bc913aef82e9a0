package org.ipc4j.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ipc4j address: {@code scheme:target?key=value&key=value}. Examples:
 * <pre>
 * shm:orders?capacity=1m        mq:/jobs?depth=64&amp;maxmsg=1k     sem:/lock?initial=1
 * fifo:/tmp/x.fifo              unix:/run/app.sock                  tcp://127.0.0.1:7000
 * </pre>
 * The target is everything between the scheme and the query; for {@code tcp://} and {@code udp://} it
 * is {@code host:port}. Parameter values are typed on read: sizes take {@code k}, {@code m}, {@code g}
 * suffixes (powers of 1024), durations take {@code ms}, {@code s}, {@code m}. Providers call
 * {@link #requireOnly(Set)} so that a misspelt parameter is an error rather than silently ignored.
 *
 * <p><b>One vocabulary.</b> A parameter that means the same thing on several schemes has the same name and
 * the same value syntax on all of them, read by the methods below:
 * <table>
 *   <caption>Shared parameters</caption>
 *   <tr><th>name</th><th>meaning</th><th>read by</th></tr>
 *   <tr><td>{@code mode}</td><td>{@code create}, {@code open} or {@code openOrCreate}</td><td>{@link #openOptions(OpenMode)}</td></tr>
 *   <tr><td>{@code perm}</td><td>octal permission bits of a new object, e.g. {@code 0600}</td><td>{@link #openOptions(OpenMode)}</td></tr>
 *   <tr><td>{@code unlink}</td><td>remove the name when this endpoint closes</td><td>{@link #openOptions(OpenMode)}</td></tr>
 *   <tr><td>{@code role}</td><td>{@code auto}, {@code a} or {@code b}: see {@link Role}</td><td>{@link #role()}</td></tr>
 *   <tr><td>{@code maxmsg}</td><td>the largest message, always in bytes ({@code 64k})</td><td>{@link #maxMessage(long, long)}</td></tr>
 *   <tr><td>{@code capacity}</td><td>bytes a channel buffers per direction</td><td>{@link #size(String, long)}</td></tr>
 *   <tr><td>{@code depth}</td><td>how many messages a queue holds</td><td>{@link #count(String, long, long, long)}</td></tr>
 *   <tr><td>{@code timeout}</td><td>how long opening waits for the peer</td><td>{@link #duration(String, Duration)}</td></tr>
 * </table>
 */
public final class IpcUri {
    private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*):(.*)", Pattern.DOTALL);
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgG]?)[bB]?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    /** {@code mode=create|open|openOrCreate}. */
    public static final String MODE = "mode";
    /** {@code perm=0600}: octal permission bits of a newly created object. */
    public static final String PERM = "perm";
    /** {@code unlink=true}: remove the name when this endpoint closes. */
    public static final String UNLINK = "unlink";
    /** {@code role=auto|a|b}: the side of a two-party channel, see {@link Role}. */
    public static final String ROLE = "role";
    /** {@code maxmsg=64k}: the largest message in bytes. */
    public static final String MAXMSG = "maxmsg";
    /** {@code capacity=1m}: bytes buffered per direction. */
    public static final String CAPACITY = "capacity";
    /** {@code depth=10}: how many messages a queue holds. */
    public static final String DEPTH = "depth";
    /** {@code timeout=30s}: how long opening waits for the other side. */
    public static final String TIMEOUT = "timeout";

    private final String text;
    private final String scheme;
    private final String target;
    private final Map<String, String> params;

    private IpcUri(String text, String scheme, String target, Map<String, String> params) {
        this.text = text;
        this.scheme = scheme;
        this.target = target;
        this.params = params;
    }

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException if it has no scheme, an empty target, or a repeated parameter
     */
    public static IpcUri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        Matcher m = SCHEME.matcher(uri.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + uri + "\" is not an ipc4j address: expected scheme:target,"
                    + " e.g. shm:orders or tcp://127.0.0.1:7000");
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String rest = m.group(2);
        int q = rest.indexOf('?');
        String target = q < 0 ? rest : rest.substring(0, q);
        if (target.startsWith("//")) {
            target = target.substring(2);
        }
        if (target.isEmpty()) {
            throw new IllegalArgumentException("\"" + uri + "\" has no target after \"" + scheme + ":\"");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (q >= 0 && q + 1 < rest.length()) {
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "true" : decode(pair.substring(eq + 1));
                if (params.put(key, value) != null) {
                    throw new IllegalArgumentException("\"" + uri + "\" repeats the parameter " + key);
                }
            }
        }
        return new IpcUri(uri, scheme, decode(target), Collections.unmodifiableMap(params));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The scheme in lower case, e.g. {@code "shm"}. */
    public String scheme() {
        return scheme;
    }

    /** Everything between the scheme (and {@code //}) and the query, e.g. {@code "orders"} or {@code "127.0.0.1:7000"}. */
    public String target() {
        return target;
    }

    /** All parameters in the order given. */
    public Map<String, String> params() {
        return params;
    }

    /**
     * Rejects parameters other than {@code known}.
     *
     * @throws IllegalArgumentException naming the unknown parameters and the accepted ones
     */
    public IpcUri requireOnly(Set<String> known) {
        Set<String> unknown = new TreeSet<>(params.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\": unknown parameter(s) " + unknown
                    + "; " + scheme + ": accepts " + new TreeSet<>(known));
        }
        return this;
    }

    /** A parameter as text, or {@code defaultValue}. */
    public String string(String key, String defaultValue) {
        return params.getOrDefault(key, defaultValue);
    }

    /** A parameter as a whole number, or {@code defaultValue}. */
    public long integer(String key, long defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number");
        }
    }

    /** A parameter as a size in bytes ({@code 4096}, {@code 64k}, {@code 1m}, {@code 1g}), or {@code defaultValue}. */
    public long size(String key, long defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) {
            throw bad(key, v, "a size such as 4096, 64k or 1m");
        }
        long base;
        try {
            base = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw bad(key, v, "a size that fits in 63 bits");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (base > (Long.MAX_VALUE >> shift)) {
            throw bad(key, v, "a size that fits in 63 bits");
        }
        return base << shift;
    }

    /** A parameter as {@code true}/{@code false} (a bare key means true), or {@code defaultValue}. */
    public boolean bool(String key, boolean defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw bad(key, v, "true or false");
        };
    }

    /** A parameter as a duration ({@code 250ms}, {@code 5s}, {@code 2m}; a bare number is milliseconds), or {@code defaultValue}. */
    public Duration duration(String key, Duration defaultValue) {
        String v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            throw bad(key, v, "a duration such as 250ms, 5s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofMillis(n);
        };
    }

    /**
     * The open options named by {@code mode}, {@code perm} and {@code unlink}: {@code defaultMode}, owner-only
     * permissions and no unlink on close unless the address says otherwise.
     *
     * @throws IllegalArgumentException for a mode other than create/open/openOrCreate, or bits that are
     *     not octal read/write bits
     */
    public OpenOptions openOptions(OpenMode defaultMode) {
        Objects.requireNonNull(defaultMode, "defaultMode");
        String m = params.get(MODE);
        OpenMode mode = defaultMode;
        if (m != null) {
            mode = switch (m.trim().toLowerCase(Locale.ROOT)) {
                case "create" -> OpenMode.CREATE;
                case "open" -> OpenMode.OPEN;
                case "openorcreate" -> OpenMode.OPEN_OR_CREATE;
                default -> throw bad(MODE, m, "create, open or openOrCreate");
            };
        }
        OpenOptions options = OpenOptions.of(mode).unlinkOnClose(bool(UNLINK, false));
        String perm = params.get(PERM);
        if (perm != null) {
            int bits;
            try {
                bits = Integer.parseInt(perm.trim(), 8);
            } catch (NumberFormatException e) {
                throw bad(PERM, perm, "an octal mode such as 0600 or 0660");
            }
            try {
                options = options.permissions(bits);
            } catch (IllegalArgumentException e) {
                throw bad(PERM, perm, "made of read/write bits only (at most 0666)");
            }
        }
        return options;
    }

    /**
     * The side named by {@code role}, {@link Role#AUTO} if absent.
     *
     * @throws IllegalArgumentException for a value other than auto, a or b
     */
    public Role role() {
        String r = params.get(ROLE);
        if (r == null) {
            return Role.AUTO;
        }
        try {
            return Role.parse(r);
        } catch (IllegalArgumentException e) {
            throw bad(ROLE, r, "auto, a or b");
        }
    }

    /**
     * The largest message in bytes named by {@code maxmsg} (a size: {@code 4096}, {@code 64k}), or
     * {@code defaultValue}.
     *
     * @throws IllegalArgumentException if it is not a size, or outside 1..{@code limit}
     */
    public int maxMessage(long defaultValue, long limit) {
        long max = size(MAXMSG, defaultValue);
        if (max < 1 || max > limit || max > Integer.MAX_VALUE) {
            throw bad(MAXMSG, params.getOrDefault(MAXMSG, String.valueOf(defaultValue)),
                    "a size in bytes from 1 to " + Math.min(limit, Integer.MAX_VALUE));
        }
        return (int) max;
    }

    /**
     * A whole-number parameter within {@code min..max} (a count such as {@code depth}), or {@code defaultValue}.
     *
     * @throws IllegalArgumentException if it is not a whole number in range
     */
    public long count(String key, long defaultValue, long min, long max) {
        long value = integer(key, defaultValue);
        if (value < min || value > max) {
            throw bad(key, params.getOrDefault(key, String.valueOf(defaultValue)), "a whole number from " + min + " to " + max);
        }
        return value;
    }

    private IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("\"" + text + "\": parameter " + key + "=" + value + " is not " + expected);
    }

    @Override
    public String toString() {
        return text;
    }
}
