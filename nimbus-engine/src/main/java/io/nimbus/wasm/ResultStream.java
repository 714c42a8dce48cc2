package io.nimbus.wasm;

import io.nimbus.domain.Limits;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A WASI command's stdout, which is its result: kept up to the response limit, and only
 * counted beyond it, so that a runaway writer costs no memory and is reported as too large.
 */
final class ResultStream extends OutputStream {
    private byte[] bytes = new byte[256];
    private int kept;
    private long written;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] chunk, int offset, int count) {
        written += count;
        int taken = Math.min(count, Limits.MAX_PAYLOAD_BYTES - kept);
        if (taken <= 0) {
            return;
        }
        if (kept + taken > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(Limits.MAX_PAYLOAD_BYTES, Math.max(bytes.length * 2, kept + taken)));
        }
        System.arraycopy(chunk, offset, bytes, kept, taken);
        kept += taken;
    }

    boolean overLimit() {
        return written > Limits.MAX_PAYLOAD_BYTES;
    }

    long written() {
        return written;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, kept);
    }
}
