package org.ipc4j.bench.harness;

import java.nio.ByteBuffer;
import org.ipc4j.api.Capability;
import org.ipc4j.api.Ipc;
import org.ipc4j.api.Sync;

/**
 * Semaphore signalling: a ping-pong over two named semaphores (one per direction) opened with
 * {@link Ipc#openSync(String)}. A "message" is a release; receiving is an acquire. No data moves.
 */
public final class SemaphoreMechanism extends Mechanism {

    public SemaphoreMechanism() {
        super("sem", "POSIX named semaphore (2, ping-pong)", "no", "it is the sync", "none (signal)",
                "signal an event, guard a shared resource");
    }

    @Override
    public boolean carriesData() {
        return false;
    }

    @Override
    public String unavailableReason() {
        Capability c = Ipc.capability("sem");
        return c.supported() ? null : c.reason();
    }

    static String uri(String name, boolean create) {
        return "sem:/" + name + (create ? "?initial=0&mode=create" : "?mode=open");
    }

    @Override
    public Setup setUp() throws Exception {
        String name = MappedFiles.uniqueName("sm");
        Sync ping = Ipc.openSync(uri(name + "a", true));
        Sync pong;
        try {
            pong = Ipc.openSync(uri(name + "b", true));
        } catch (Exception e) {
            closeAndUnlink(ping);
            throw e;
        }
        return new Setup() {
            @Override
            public String childAddress() {
                return name;
            }

            @Override
            public Link openParent() {
                return new SyncLink(ping, pong, false);
            }

            @Override
            public void close() {
                closeAndUnlink(ping);
                closeAndUnlink(pong);
            }
        };
    }

    @Override
    public Link openChild(String name) throws Exception {
        Sync ping = Ipc.openSync(uri(name + "a", false));
        Sync pong = Ipc.openSync(uri(name + "b", false));
        return new SyncLink(pong, ping, true);
    }

    static void closeAndUnlink(Sync sync) {
        try {
            if (sync instanceof org.ipc4j.api.NamedObject) {
                ((org.ipc4j.api.NamedObject) sync).unlink();
            }
        } catch (Exception e) {
            System.err.println("could not unlink a semaphore: " + e);
        }
        try {
            sync.close();
        } catch (Exception e) {
            // best effort at the end of a run
        }
    }

    /** Send = release the peer's semaphore; receive = acquire our own. */
    private static final class SyncLink implements Link {
        private final Sync out;
        private final Sync in;
        private final boolean child;

        SyncLink(Sync out, Sync in, boolean child) {
            this.out = out;
            this.in = in;
            this.child = child;
        }

        @Override
        public void send(ByteBuffer message) throws Exception {
            out.release();
            message.position(message.limit());
        }

        @Override
        public int receive(ByteBuffer destination) throws Exception {
            in.acquire();
            return 0;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (Exception e) {
                // best effort
            }
            if (child) {
                try {
                    out.close();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
    }
}
