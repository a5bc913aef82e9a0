package org.ipc4j.bench.harness;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ipc4j.pipe.ChildProcess;
import org.ipc4j.pipe.ParentChannel;
import org.ipc4j.pipe.StderrTarget;

/**
 * Anonymous pipes to a child process: the parent starts the child JVM with ipc-pipe's {@link ChildProcess}
 * (a framed channel over the child's standard input and output), the child takes its end with
 * {@link ParentChannel#open()}. No name, no address.
 */
public final class PipeMechanism extends Mechanism {
    private static final int MAX = 2 << 20;

    public PipeMechanism() {
        super("pipe", "anonymous pipe to a child (stdin/stdout)", "no", "no", "one way (two pipes here)",
                "parent and worker child: the shell's | for programs");
    }

    @Override
    public String unavailableReason() {
        // ChildProcess needs nothing native: it works wherever java.lang.Process does.
        return null;
    }

    @Override
    public Setup setUp() {
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess[] holder = new ChildProcess[1];
        return new Setup() {
            @Override
            public String childAddress() {
                return "-";
            }

            @Override
            public Process startChild(ChildSpec spec) throws Exception {
                ChildProcess child = ChildProcess.javaBuilder(spec.mainClass()).jvmOptions(spec.jvmOptions())
                        .classPath(spec.classPath()).javaExecutable(Path.of(spec.java()))
                        .args(spec.args().toArray(new String[0])).stderr(StderrTarget.inherit())
                        .maxMessageSize(MAX).start();
                holder[0] = child;
                started.countDown();
                return child.process();
            }

            @Override
            public Link openParent() throws Exception {
                if (!started.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the child was not started within 30 s");
                }
                return new ChannelLink(holder[0].channel(), holder[0]);
            }

            @Override
            public void close() {
                if (holder[0] != null) {
                    holder[0].close();
                }
            }
        };
    }

    @Override
    public Link openChild(String address) throws Exception {
        return new ChannelLink(ParentChannel.open(), null);
    }
}
