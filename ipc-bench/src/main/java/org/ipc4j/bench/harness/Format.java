package org.ipc4j.bench.harness;

import java.util.Locale;

/** Human formatting and parsing of the quantities in the report. All pure functions. */
public final class Format {
    private Format() {
    }

    /** Nanoseconds as {@code 850 ns}, {@code 12.3 us}, {@code 1.20 ms}, {@code 12.5 ms}, {@code 125 ms}, {@code 2.50 s}. */
    public static String nanos(double ns) {
        if (Double.isNaN(ns) || ns < 0) {
            return "n/a";
        }
        if (ns < 1_000) {
            return String.format(Locale.ROOT, "%.0f ns", ns);
        }
        if (ns < 100_000) {
            return String.format(Locale.ROOT, "%.1f us", ns / 1e3);
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f us", ns / 1e3);
        }
        if (ns < 10_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        if (ns < 100_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }

    /** Bytes as {@code 32 B}, {@code 1 KiB}, {@code 1.5 KiB}, {@code 1 MiB}. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1 << 20) {
            return trim(bytes / 1024.0) + " KiB";
        }
        return trim(bytes / (double) (1 << 20)) + " MiB";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Messages per second as {@code 950 k/s}, {@code 1.23 M/s}. */
    public static String rate(double perSecond) {
        if (Double.isNaN(perSecond) || perSecond < 0) {
            return "n/a";
        }
        if (perSecond < 1e3) {
            return String.format(Locale.ROOT, "%.0f /s", perSecond);
        }
        if (perSecond < 1e6) {
            return String.format(Locale.ROOT, "%.0f k/s", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f M/s", perSecond / 1e6);
    }

    /** Megabytes (10^6 bytes) per second with one decimal below 100. */
    public static String megabytes(double mbPerSecond) {
        if (Double.isNaN(mbPerSecond) || mbPerSecond < 0) {
            return "n/a";
        }
        return mbPerSecond < 100 ? String.format(Locale.ROOT, "%.1f", mbPerSecond)
                : String.format(Locale.ROOT, "%.0f", mbPerSecond);
    }

    /**
     * Parses a size: a number of bytes with an optional unit {@code k} (KiB) or {@code m} (MiB), any case,
     * e.g. {@code 32}, {@code 64k}, {@code 1m}.
     *
     * @throws IllegalArgumentException naming the text when it is not a size in 0..1 GiB
     */
    public static int parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("kib") || t.endsWith("kb")) {
            t = t.substring(0, t.indexOf('k')) + "k";
        }
        if (t.endsWith("mib") || t.endsWith("mb")) {
            t = t.substring(0, t.indexOf('m')) + "m";
        }
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("k")) {
            unit = 1024;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 1 << 20;
            t = t.substring(0, t.length() - 1);
        }
        long value;
        try {
            value = Long.parseLong(t.trim()) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a message size: \"" + text + "\" (use e.g. 32, 64k, 1m)");
        }
        if (value < 0 || value > 1 << 30) {
            throw new IllegalArgumentException("message size out of range 0..1g: \"" + text + "\"");
        }
        return (int) value;
    }

    /** Pads or cuts to a column width. */
    public static String pad(String s, int width) {
        if (s.length() > width) {
            return s.substring(0, Math.max(0, width - 1)) + "~";
        }
        return s + " ".repeat(width - s.length());
    }

    /** Right-aligns in a column width. */
    public static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
