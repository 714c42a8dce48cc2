package io.nimbus.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads and writes frames: {@code u32 body length (big-endian) | u8 type | body}. For
 * header-carrying types the body is {@code u32 header length | header | payload}.
 * A frame's body is at most {@link #MAX_BODY_BYTES}; a bigger one is a protocol violation,
 * so a worker cannot make the host allocate without bound.
 */
public final class FrameCodec {
    /** 6 MiB of payload, the header, and room to spare. */
    public static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private FrameCodec() {
    }

    public static void write(OutputStream out, Frame frame) throws IOException {
        int bodyLength = frame.hasHeader()
                ? 4 + frame.header().length + frame.payload().length
                : frame.payload().length;
        byte[] prefix = new byte[frame.hasHeader() ? 9 : 5];
        putInt(prefix, 0, bodyLength);
        prefix[4] = (byte) frame.type().code();
        if (frame.hasHeader()) {
            putInt(prefix, 5, frame.header().length);
        }
        out.write(prefix);
        if (frame.hasHeader()) {
            out.write(frame.header());
        }
        out.write(frame.payload());
        out.flush();
    }

    /**
     * Reads one frame, blocking.
     *
     * @throws EOFException      when the stream ends before a frame starts or inside one
     * @throws ProtocolException when the frame is malformed
     */
    public static Frame read(InputStream in) throws IOException {
        byte[] prefix = readExactly(in, 5);
        int bodyLength = getInt(prefix, 0);
        FrameType type = FrameType.fromCode(prefix[4] & 0xFF);
        if (type == null) {
            throw new ProtocolException("unknown frame type " + (prefix[4] & 0xFF));
        }
        if (bodyLength < 0 || bodyLength > MAX_BODY_BYTES) {
            throw new ProtocolException("frame body of " + Integer.toUnsignedString(bodyLength) + " bytes is over the limit");
        }
        byte[] body = readExactly(in, bodyLength);
        Frame bare = new Frame(type, Frame.EMPTY, body);
        if (!bare.hasHeader()) {
            return bare;
        }
        if (bodyLength < 4) {
            throw new ProtocolException(type + " frame has no header length");
        }
        int headerLength = getInt(body, 0);
        if (headerLength < 0 || headerLength > bodyLength - 4) {
            throw new ProtocolException(type + " frame header length " + headerLength + " exceeds its body");
        }
        byte[] header = java.util.Arrays.copyOfRange(body, 4, 4 + headerLength);
        byte[] payload = java.util.Arrays.copyOfRange(body, 4 + headerLength, bodyLength);
        return new Frame(type, header, payload);
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("stream ended after " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    private static void putInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    private static int getInt(byte[] source, int offset) {
        return ((source[offset] & 0xFF) << 24) | ((source[offset + 1] & 0xFF) << 16)
                | ((source[offset + 2] & 0xFF) << 8) | (source[offset + 3] & 0xFF);
    }
}
