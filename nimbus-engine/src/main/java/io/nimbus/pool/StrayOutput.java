package io.nimbus.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a worker's processes write to their stdout and stderr, outside the handler's
 * captured prints (a child process, a native library). The worker's fds 1 and 2 append to
 * a file; after each invocation the host reads what is new into the invocation's logs and
 * truncates the file. Reading a file needs no thread per instance, and the append mode
 * makes the truncation safe while the worker keeps writing.
 */
final class StrayOutput {
    private static final int READ_LIMIT = 64 * 1024;

    private final Path file;
    private FileChannel channel;

    StrayOutput(Path file) {
        this.file = file;
    }

    void drainInto(LogBuffer logs) {
        try {
            FileChannel open = channel();
            long size = open.size();
            if (size == 0) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, READ_LIMIT));
            open.read(buffer, 0);
            logs.append(buffer.array(), 0, buffer.position());
            if (size > READ_LIMIT) {
                logs.markTruncated();
            }
            open.truncate(0);
        } catch (IOException e) {
            // stray output is best effort: losing it must never fail an invocation
        }
    }

    void delete() {
        try {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the data directory's instance folder is emptied at start-up anyway
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }
}
