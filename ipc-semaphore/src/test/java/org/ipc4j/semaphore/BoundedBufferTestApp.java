package org.ipc4j.semaphore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Child process for {@link BoundedBufferIT}.
 * {@code produce NAME CAPACITY PRODUCER COUNT}: puts PRODUCER * 1_000_000 + i for i in 0..COUNT-1.
 * {@code consume NAME CAPACITY OUTFILE}: takes items until -1 and writes them, one a line, to OUTFILE.
 */
public final class BoundedBufferTestApp {
    private BoundedBufferTestApp() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        try (BoundedBuffer buffer = BoundedBuffer.open(args[1], Integer.parseInt(args[2]))) {
            System.out.println("READY");
            System.out.flush();
            if (role.equals("produce")) {
                long base = Long.parseLong(args[3]) * 1_000_000L;
                int count = Integer.parseInt(args[4]);
                for (int i = 0; i < count; i++) {
                    buffer.put(base + i);
                }
            } else {
                List<Long> taken = new ArrayList<>();
                for (long item = buffer.take(); item != -1; item = buffer.take()) {
                    taken.add(item);
                }
                Files.writeString(Path.of(args[3]), taken.stream().map(String::valueOf).collect(Collectors.joining("\n")));
            }
        }
        System.out.println("DONE");
    }
}
