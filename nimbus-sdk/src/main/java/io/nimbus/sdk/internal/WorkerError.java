package io.nimbus.sdk.internal;

/** A failure reported under one of the worker's own error types (docs/protocol.md, section 4), with no stack. */
final class WorkerError extends Exception {
    private final String type;

    WorkerError(String type, String message) {
        super(message);
        this.type = type;
    }

    String type() {
        return type;
    }
}
