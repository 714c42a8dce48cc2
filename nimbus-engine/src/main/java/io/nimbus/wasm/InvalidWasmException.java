package io.nimbus.wasm;

/**
 * A module, or WAT text, that Nimbus refuses to run. Checked, because it is bad input from the
 * user at deploy time (the API answers 400 with {@link #getMessage()}), not a failure of an
 * invocation: those are {@link io.nimbus.pool.ExecResult} values.
 */
public final class InvalidWasmException extends Exception {

    public InvalidWasmException(String message) {
        super(message);
    }
}
