package io.nimbus.wasm;

import io.nimbus.pool.LogBuffer;
import java.io.OutputStream;

/**
 * What a guest prints to its log streams, capped in a {@link LogBuffer} like every runtime's
 * logs. Read once, by whichever comes first: the guest's own outcome, or the engine reporting
 * its deadline after stopping it; both then see the same text.
 */
final class GuestLogs extends OutputStream {
    private final LogBuffer buffer = new LogBuffer();
    private String text;

    @Override
    public void write(int b) {
        buffer.append(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] chunk, int offset, int count) {
        buffer.append(chunk, offset, count);
    }

    /** The logs of the invocation; what is printed after the first call is not kept. */
    synchronized String text() {
        if (text == null) {
            text = buffer.drain();
        }
        return text;
    }
}
