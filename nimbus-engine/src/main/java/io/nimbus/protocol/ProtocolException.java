package io.nimbus.protocol;

import java.io.IOException;

/** The peer broke the protocol: an unknown type, an oversized or malformed frame. */
public class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
