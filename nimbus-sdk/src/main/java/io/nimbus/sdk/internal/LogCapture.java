package io.nimbus.sdk.internal;

import io.nimbus.sdk.FunctionLogger;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the function prints during one Init or Exec, capped at {@value #LIMIT} bytes; it goes
 * to the host in a Log frame, never to a descriptor. System.out and System.err are replaced
 * by streams into it before any user class loads, so that a PrintStream or logging handler
 * made at class-initialisation time is captured too. Output of a background thread lands in
 * whichever invocation drains next.
 */
final class LogCapture extends OutputStream implements FunctionLogger {
    static final int LIMIT = 65536;
    private static final byte[] TRUNCATION_MARKER =
            ("\n[nimbus: log truncated at " + LIMIT + " bytes]\n").getBytes(StandardCharsets.UTF_8);

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private boolean truncated;

    /** Replaces System.out and System.err with streams into a new capture. */
    static LogCapture install() {
        LogCapture capture = new LogCapture();
        System.setOut(new PrintStream(capture, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(capture, true, StandardCharsets.UTF_8));
        return capture;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        if (truncated || length == 0) {
            return;
        }
        int room = LIMIT - buffer.size();
        if (length <= room) {
            buffer.write(bytes, offset, length);
            return;
        }
        buffer.write(bytes, offset, utf8Boundary(bytes, offset, room));
        buffer.writeBytes(TRUNCATION_MARKER);
        truncated = true;
    }

    @Override
    public void log(String level, String message) {
        byte[] line = ("[" + level + "] " + message + "\n").getBytes(StandardCharsets.UTF_8);
        write(line, 0, line.length);
    }

    /** Everything captured since the last drain, or null when nothing was; empties the capture. */
    synchronized byte[] drain() {
        if (buffer.size() == 0) {
            return null;
        }
        byte[] captured = buffer.toByteArray();
        buffer.reset();
        truncated = false;
        return captured;
    }

    /** The longest prefix of at most {@code limit} bytes that does not split a UTF-8 character. */
    static int utf8Boundary(byte[] bytes, int offset, int limit) {
        int cut = limit;
        while (cut > 0 && (bytes[offset + cut] & 0xC0) == 0x80) {
            cut--;
        }
        return cut;
    }
}
