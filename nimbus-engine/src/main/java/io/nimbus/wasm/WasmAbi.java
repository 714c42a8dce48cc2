package io.nimbus.wasm;

/** How Nimbus talks to a module; detected from its exports when it is compiled. */
public enum WasmAbi {
    /**
     * Exports {@code memory}, {@code alloc(i32) -> i32} and {@code handle(i32, i32) -> i64}: the
     * event is written where {@code alloc} says, and {@code handle} returns
     * {@code (output_ptr << 32) | output_len}. Anything it prints through WASI is logs. A WASI
     * reactor's {@code _initialize}, when exported, runs first.
     */
    HANDLER,
    /**
     * Exports {@code _start}: a WASI command whose stdin is the event and whose stdout is the
     * result; stderr is logs, and a non-zero exit status is a function error.
     */
    WASI_COMMAND
}
