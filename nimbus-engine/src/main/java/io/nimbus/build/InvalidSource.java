package io.nimbus.build;

/** The function's files cannot be built, as seen before the compiler runs: the message says why and what to fix. */
final class InvalidSource extends Exception {
    InvalidSource(String message) {
        super(message);
    }
}
