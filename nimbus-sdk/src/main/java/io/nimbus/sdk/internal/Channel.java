package io.nimbus.sdk.internal;

import io.nimbus.sdk.Json;
import io.nimbus.sdk.JsonException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The protocol channel: frames from the host on fd 3, frames to it on fd 4. A frame is
 * {@code u32 body length | u8 type | body}; Init, Exec and Resp bodies are
 * {@code u32 header length | JSON header | payload}. Each answer, with the Log frame before
 * it, leaves in one write.
 */
final class Channel {
    static final int INIT = 1;
    static final int EXEC = 2;
    static final int RESP = 3;
    static final int PING = 4;
    static final int STOP = 5;
    static final int LOG = 7;
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final int PROTOCOL_IN = 3;
    private static final int PROTOCOL_OUT = 4;
    private static final byte[] PING_FRAME = {0, 0, 0, 0, PING};

    /** One frame as read. */
    record Frame(int type, byte[] body) {
    }

    /** An Init or Exec body, split: the header parsed, the payload left as bytes. */
    record Headed(Map<String, Object> header, byte[] body, int payloadOffset) {
        int payloadLength() {
            return body.length - payloadOffset;
        }
    }

    private final DataInputStream in;
    private final OutputStream out;

    Channel(InputStream in, OutputStream out) {
        this.in = new DataInputStream(new BufferedInputStream(in, 65536));
        this.out = out;
    }

    static Channel open() {
        FileDescriptor in = Descriptors.of(PROTOCOL_IN);
        FileDescriptor out = Descriptors.of(PROTOCOL_OUT);
        return new Channel(new FileInputStream(in), new FileOutputStream(out));
    }

    /** The next frame, or null when the host closed the channel between frames. */
    Frame read() throws IOException, ProtocolViolation {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        try {
            int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            if (length < 0 || length > MAX_BODY_BYTES) {
                throw new ProtocolViolation("a frame body of " + Integer.toUnsignedString(length) + " bytes is over the limit");
            }
            byte[] body = new byte[length];
            in.readFully(body);
            return new Frame(type, body);
        } catch (EOFException e) {
            throw new ProtocolViolation("the channel closed inside a frame");
        }
    }

    static Headed split(byte[] body) throws ProtocolViolation {
        if (body.length < 4) {
            throw new ProtocolViolation("a frame body has no header length");
        }
        int headerLength = ByteBuffer.wrap(body).getInt();
        if (headerLength < 0 || headerLength > body.length - 4) {
            throw new ProtocolViolation("header length " + Integer.toUnsignedString(headerLength) + " exceeds the body");
        }
        Object header;
        try {
            header = Json.parse(new String(body, 4, headerLength, StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new ProtocolViolation("the header is not JSON: " + e.getMessage());
        }
        if (!(header instanceof Map<?, ?> map)) {
            throw new ProtocolViolation("the header is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return new Headed(object, body, 4 + headerLength);
    }

    void ping() throws IOException {
        out.write(PING_FRAME);
    }

    /** A Resp, preceded by a Log frame when {@code logs} is not null, in one write. */
    void respond(byte[] logs, byte[] header, byte[] payload) throws IOException {
        int logFrame = logs == null ? 0 : 5 + logs.length;
        ByteBuffer frame = ByteBuffer.allocate(logFrame + 9 + header.length + payload.length);
        if (logs != null) {
            frame.putInt(logs.length).put((byte) LOG).put(logs);
        }
        frame.putInt(4 + header.length + payload.length).put((byte) RESP).putInt(header.length).put(header).put(payload);
        out.write(frame.array());
    }
}
