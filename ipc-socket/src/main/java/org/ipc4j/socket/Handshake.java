package org.ipc4j.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ipc4j.api.IpcException;
import org.ipc4j.api.internal.Deadline;

/**
 * The authkey challenge-response handshake of Python's {@code multiprocessing.connection}, run on a freshly
 * connected socket before it becomes a channel, in the stream framing (4-byte big-endian length, payload).
 *
 * <p>To <b>deliver</b> a challenge: send {@code #CHALLENGE#} + {@code {sha256}} + 40 random bytes, read the
 * answer, check it and reply {@code #WELCOME#} or {@code #FAILURE#}. An answer is either {@code {name}} + the
 * HMAC-name of the whole challenge body (after {@code #CHALLENGE#}, its {@code {sha256}} prefix included), as
 * Python 3.12 and later send, or a bare 16-byte HMAC-MD5 of it, as Python 3.11 and earlier send (they do not
 * know the prefix and take the whole body as the challenge). To <b>answer</b>: read {@code #CHALLENGE#} +
 * body; a body of exactly 20 bytes is the legacy form (reply with the bare HMAC-MD5 of it), otherwise it must
 * start with {@code {name}} (reply {@code {name}} + HMAC-name of the body); then expect {@code #WELCOME#}.
 * A listening side delivers first and then answers; a connecting side answers first and then delivers, as
 * CPython's {@code Listener.accept} and {@code Client} do, so both ends prove they know the key.
 *
 * <p>Every handshake frame is at most {@value #MAX_FRAME} bytes (CPython's limit): a larger length prefix,
 * including multiprocessing's large-frame escape, fails the handshake before anything is allocated. Frames are
 * read exactly (the header, then the announced bytes), so a message the peer sends right after the handshake
 * stays in the socket for the channel. Comparisons of digests are constant-time.
 */
final class Handshake implements AutoCloseable {
    /** The largest handshake frame either side accepts (CPython reads them with {@code recv_bytes(256)}). */
    static final int MAX_FRAME = 256;
    /** How long one handshake may take at most. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final byte[] CHALLENGE = ascii("#CHALLENGE#");
    private static final byte[] WELCOME = ascii("#WELCOME#");
    private static final byte[] FAILURE = ascii("#FAILURE#");
    /** The body length of a legacy (MD5-only) challenge; a modern one is always longer. */
    private static final int LEGACY_BODY = 20;
    /** A bare HMAC-MD5 answer. */
    private static final int MD5_BYTES = 16;
    /** Random bytes in the challenges this side delivers (CPython 3.12 sends 40). */
    private static final int NONCE_BYTES = 40;
    private static final String DELIVERED_DIGEST = "sha256";
    /** The digests CPython allows in a prefix, by their Python names. */
    private static final Map<String, String> DIGESTS = Map.of(
            "md5", "HmacMD5", "sha256", "HmacSHA256", "sha384", "HmacSHA384",
            "sha3_256", "HmacSHA3-256", "sha3_384", "HmacSHA3-384");
    private static final int LONGEST_NAME = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketChannel socket;
    private final byte[] key;
    private final Deadline deadline;
    private final String where;
    private final Selector selector;
    private final ByteBuffer header = ByteBuffer.allocate(4);

    private Handshake(SocketChannel socket, byte[] key, Deadline deadline, String where) throws IOException {
        this.socket = socket;
        this.key = key;
        this.deadline = deadline;
        this.where = where;
        this.selector = Waits.selectorFor(socket, 0);
    }

    /**
     * Opens a handshake on a connected non-blocking socket, to end at {@code deadline} or after {@link #TIMEOUT},
     * whichever comes first. {@link #close()} (from any thread) ends a waiting handshake at once.
     */
    /** A copy of a key given to a builder, checked: at least one byte. */
    static byte[] checkKey(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("an authkey must have at least one byte (an empty key would mean no"
                    + " authentication; leave the authkey unset for that)");
        }
        return key.clone();
    }

    static Handshake on(SocketChannel socket, byte[] key, Deadline deadline, String where) throws IpcException {
        Deadline end = deadline.remainingNanos() < TIMEOUT.toNanos() ? deadline : Deadline.after(TIMEOUT);
        try {
            return new Handshake(socket, key, end, where);
        } catch (IOException e) {
            throw new IpcException(where + ": cannot start the authkey handshake: " + e, e);
        }
    }

    /** The listening side's handshake: challenge the peer, then answer its challenge. Blocks. */
    void asListener() throws IpcException, InterruptedIOException {
        deliver();
        answer();
    }

    /** The connecting side's handshake: answer the listener's challenge, then challenge it. Blocks. */
    void asConnector() throws IpcException, InterruptedIOException {
        answer();
        deliver();
    }

    private void deliver() throws IpcException, InterruptedIOException {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] body = concat(ascii("{" + DELIVERED_DIGEST + "}"), nonce);
        write(concat(CHALLENGE, body));
        byte[] answer = read("the answer to our challenge");
        String problem = checkAnswer(body, answer);
        if (problem != null) {
            try {
                write(FAILURE);
            } catch (IpcException | InterruptedIOException ignored) {
                // the peer may be gone already; it fails either way
            }
            throw new AuthenticationFailedException(where + ": the peer failed the authkey challenge: " + problem);
        }
        write(WELCOME);
    }

    /** Null if {@code answer} proves the key for {@code body}, else what is wrong with it. */
    private String checkAnswer(byte[] body, byte[] answer) throws IpcException {
        String digest;
        byte[] mac;
        if (answer.length == MD5_BYTES) {
            digest = "md5"; // a Python 3.11 or older peer: a bare HMAC-MD5 of the whole body
            mac = answer;
        } else {
            digest = prefixedDigest(answer);
            if (digest == null) {
                return "its answer (" + answer.length + " bytes) is neither a 16-byte HMAC-MD5 nor a {digest}-prefixed"
                        + " HMAC (a peer without the key, or not a multiprocessing peer)";
            }
            mac = Arrays.copyOfRange(answer, digest.length() + 2, answer.length);
        }
        byte[] expected = hmac(digest, body);
        if (!MessageDigest.isEqual(expected, mac)) {
            return "its " + digest + " digest is wrong (it does not know the key)";
        }
        return null;
    }

    private void answer() throws IpcException, InterruptedIOException {
        byte[] challenge = read("a challenge");
        if (challenge.length < CHALLENGE.length
                || !Arrays.equals(challenge, 0, CHALLENGE.length, CHALLENGE, 0, CHALLENGE.length)) {
            throw new AuthenticationFailedException(where + ": expected the peer's #CHALLENGE#, got " + show(challenge)
                    + " (does the peer use an authkey?)");
        }
        byte[] body = Arrays.copyOfRange(challenge, CHALLENGE.length, challenge.length);
        byte[] reply;
        if (body.length < LEGACY_BODY) {
            throw new AuthenticationFailedException(where + ": the peer's challenge is too short (" + body.length
                    + " bytes, at least " + LEGACY_BODY + ")");
        } else if (body.length == LEGACY_BODY) {
            reply = hmac("md5", body); // a Python 3.11 or older peer
        } else {
            String digest = prefixedDigest(body);
            if (digest == null) {
                throw new AuthenticationFailedException(where + ": the peer's challenge names no digest this side"
                        + " knows (" + show(body) + "; known: " + DIGESTS.keySet() + ")");
            }
            reply = concat(ascii("{" + digest + "}"), hmac(digest, body));
        }
        write(reply);
        byte[] verdict = read("the verdict on our answer");
        if (Arrays.equals(verdict, FAILURE)) {
            throw new AuthenticationFailedException(where + ": the peer rejected our answer to its challenge"
                    + " (#FAILURE#): the two sides have different authkeys");
        }
        if (!Arrays.equals(verdict, WELCOME)) {
            throw new AuthenticationFailedException(where + ": expected #WELCOME# from the peer, got " + show(verdict));
        }
    }

    /** The Python digest name of a {@code {name}...} prefix, or null if there is none or it is not allowed. */
    private static String prefixedDigest(byte[] message) {
        if (message.length < 2 || message[0] != '{') {
            return null;
        }
        for (int i = 1; i < message.length && i <= LONGEST_NAME + 1; i++) {
            if (message[i] == '}') {
                String name = new String(message, 1, i - 1, StandardCharsets.US_ASCII);
                return DIGESTS.containsKey(name) ? name : null;
            }
        }
        return null;
    }

    private byte[] hmac(String digest, byte[] message) throws IpcException {
        String algorithm = DIGESTS.get(digest);
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new AuthenticationFailedException(where + ": the peer's digest " + digest + " (" + algorithm
                    + ") is not available in this JVM: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ frames

    private void write(byte[] payload) throws IpcException, InterruptedIOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).flip();
        try {
            while (frame.hasRemaining()) {
                if (socket.write(frame) == 0) {
                    await(SelectionKey.OP_WRITE, "sending");
                }
            }
        } catch (IpcException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** Reads one whole handshake frame, never more bytes than it has. */
    private byte[] read(String what) throws IpcException, InterruptedIOException {
        header.clear();
        fill(header, what);
        int length = header.getInt(0);
        if (length < 0 || length > MAX_FRAME) {
            String sent = length == -1 ? "sent the large-frame escape 0xffffffff (a frame over 2 GiB follows)"
                    : "announced a frame of " + Integer.toUnsignedString(length) + " bytes";
            throw new AuthenticationFailedException(where + ": waiting for " + what + ", the peer " + sent
                    + "; a handshake frame is at most " + MAX_FRAME + " bytes (not a multiprocessing"
                    + " peer, or one that does not use an authkey)");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        fill(payload, what);
        return payload.array();
    }

    private void fill(ByteBuffer target, String what) throws IpcException, InterruptedIOException {
        try {
            while (target.hasRemaining()) {
                int n = socket.read(target);
                if (n < 0) {
                    throw new AuthenticationFailedException(where + ": the peer closed the connection while this side"
                            + " waited for " + what + " in the authkey handshake (a peer that does not know the key,"
                            + " or uses none)");
                }
                if (n == 0) {
                    await(SelectionKey.OP_READ, "waiting for " + what);
                }
            }
        } catch (IpcException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private void await(int ops, String doing) throws IOException {
        SelectionKey k = selector.isOpen() ? socket.keyFor(selector) : null;
        try {
            if (k == null) {
                throw new ClosedChannelException();
            }
            k.interestOps(ops);
        } catch (CancelledKeyException e) {
            throw new ClosedChannelException(); // closed by close() meanwhile
        }
        if (!Waits.select(selector, deadline, where + ": authkey handshake")) {
            throw new AuthenticationFailedException(where + ": the peer did not complete the authkey handshake in"
                    + " time (" + doing + "; a peer without an authkey waits for messages instead)");
        }
    }

    private IpcException lost(IOException e) {
        return new AuthenticationFailedException(where + ": the connection broke during the authkey handshake: " + e);
    }

    /** Ends the handshake: a thread waiting in it wakes with an error. The socket is the caller's. */
    @Override
    public void close() {
        Waits.closeQuietly(selector);
    }

    // ------------------------------------------------------------------ bytes

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** A short printable rendering of bytes from the peer, for an error message. */
    private static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(bytes.length, 24); i++) {
            int b = bytes[i] & 0xff;
            s.append(b >= 0x20 && b < 0x7f && b != '"' && b != '\\' ? String.valueOf((char) b)
                    : String.format("\\x%02x", b));
        }
        return s.append(bytes.length > 24 ? "\"... (" + bytes.length + " bytes)" : "\"").toString();
    }
}
