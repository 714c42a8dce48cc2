package io.nimbus.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.Optional;

/**
 * Everything an invocation needs from compile time: the parsed module, its code, how to call
 * it (and whether a handler needs {@code _initialize} first), and its memory limits already
 * lowered to the function's cap.
 */
record Guest(WasmModule module, GuestCode code, WasmAbi abi, boolean initialize, Optional<MemoryLimits> memory,
             WasmFunction function) {
}
