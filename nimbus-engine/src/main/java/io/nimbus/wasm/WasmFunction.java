package io.nimbus.wasm;

import java.util.Map;
import java.util.Objects;

/**
 * What a module runs as: the function version's name, environment and memory. Fixed per
 * version, so it is given once, when the module is compiled.
 *
 * @param name     the program's only argument ({@code argv[0]}) under WASI
 * @param env      the WASI environment; nothing of the host's leaks in
 * @param memoryMb the cap on the module's linear memory, in MiB
 */
public record WasmFunction(String name, Map<String, String> env, int memoryMb) {

    public WasmFunction {
        Objects.requireNonNull(name, "name");
        env = Map.copyOf(env);
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("memoryMb must be positive: " + memoryMb);
        }
    }
}
