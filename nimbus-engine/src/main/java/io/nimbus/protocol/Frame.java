package io.nimbus.protocol;

/**
 * One frame. For Init, Exec and Resp the body is split into a JSON {@code header} and raw
 * {@code payload} bytes; Log frames carry only a payload; Ping and Stop carry nothing.
 *
 * @param header  UTF-8 JSON object text, or empty
 * @param payload raw bytes (the event, the result, log text), never base64
 */
public record Frame(FrameType type, byte[] header, byte[] payload) {
    static final byte[] EMPTY = new byte[0];

    public static Frame of(FrameType type) {
        return new Frame(type, EMPTY, EMPTY);
    }

    /** True for the types whose body is {@code u32 header length | header | payload}. */
    public boolean hasHeader() {
        return type == FrameType.INIT || type == FrameType.EXEC || type == FrameType.RESP || type == FrameType.RELOAD
                || type == FrameType.FORK;
    }
}
