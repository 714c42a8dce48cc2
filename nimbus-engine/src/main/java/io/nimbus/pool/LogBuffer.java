package io.nimbus.pool;

import io.nimbus.domain.Limits;

import java.nio.charset.StandardCharsets;

/**
 * The logs of one invocation, capped at {@link Limits#MAX_LOG_BYTES}: past the cap, bytes are
 * dropped and the truncation marker is appended once. Public because the in-process WebAssembly
 * engine ({@code io.nimbus.wasm}) captures its guests' output the same way.
 */
public final class LogBuffer {
    private final byte[] bytes = new byte[Limits.MAX_LOG_BYTES];
    private int length;
    private boolean truncated;

    public synchronized void append(byte[] chunk, int offset, int count) {
        if (truncated) {
            return;
        }
        int room = bytes.length - length;
        int taken = Math.min(room, count);
        System.arraycopy(chunk, offset, bytes, length, taken);
        length += taken;
        if (taken < count || endsWithMarker(chunk, offset, count)) {
            truncated = true;
        }
    }

    /** More was written than was kept: the text ends with the truncation marker. */
    synchronized void markTruncated() {
        truncated = true;
    }

    synchronized boolean isEmpty() {
        return length == 0 && !truncated;
    }

    /** The text so far, then empties the buffer. */
    public synchronized String drain() {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (truncated && !text.endsWith(Limits.LOG_TRUNCATION_MARKER)) {
            text = text + Limits.LOG_TRUNCATION_MARKER;
        }
        length = 0;
        truncated = false;
        return text;
    }

    /** A worker that truncated its own capture sends the marker; keep no more after it. */
    private static boolean endsWithMarker(byte[] chunk, int offset, int count) {
        byte[] marker = Limits.LOG_TRUNCATION_MARKER.getBytes(StandardCharsets.UTF_8);
        if (count < marker.length) {
            return false;
        }
        for (int i = 0; i < marker.length; i++) {
            if (chunk[offset + count - marker.length + i] != marker[i]) {
                return false;
            }
        }
        return true;
    }
}
