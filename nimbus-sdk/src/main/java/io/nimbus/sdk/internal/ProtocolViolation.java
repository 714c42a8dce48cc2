package io.nimbus.sdk.internal;

/** The host sent something this worker cannot make sense of; the worker exits with status 2. */
final class ProtocolViolation extends Exception {

    ProtocolViolation(String message) {
        super(message);
    }
}
