package io.nimbus.protocol;

/** The one-byte frame types. The numbers are the seed design's and never change. */
public enum FrameType {
    INIT(1), EXEC(2), RESP(3), PING(4), STOP(5), RELOAD(6), LOG(7), FORK(8);

    private static final FrameType[] BY_CODE = new FrameType[9];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code, or null for a code no frame has (a protocol violation). */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
