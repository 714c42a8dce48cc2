package io.nimbus.sdk;

/** Text that is not JSON, or a value that has no JSON form. */
public final class JsonException extends IllegalArgumentException {

    public JsonException(String message) {
        super(message);
    }
}
