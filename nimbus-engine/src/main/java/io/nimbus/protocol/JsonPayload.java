package io.nimbus.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;

/** Events and results travel as raw JSON bytes; this checks them without building a tree. */
public final class JsonPayload {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonPayload() {
    }

    /** Whether the bytes are exactly one JSON value, in UTF-8. */
    public static boolean isSingleValue(byte[] payload) {
        if (payload.length == 0) {
            return false;
        }
        try (JsonParser parser = FACTORY.createParser(payload)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
