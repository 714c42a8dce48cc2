package io.nimbus.wasm;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The module of a {@code wasm} function, from its files: one {@code .wasm} binary (uploaded as
 * base64 in {@code files}), or one {@code .wat} text (inline {@code code} becomes
 * {@code module.wat}), converted here.
 */
public final class WasmSource {

    private WasmSource() {
    }

    /** The binary module; refused, with a message for the user, when there is not exactly one module among the files. */
    public static byte[] moduleOf(Map<String, byte[]> files) throws InvalidWasmException {
        List<String> modules = files.keySet().stream()
                .filter(path -> path.endsWith(".wasm") || path.endsWith(".wat")).toList();
        if (modules.size() != 1) {
            throw new InvalidWasmException("a wasm function has exactly one module among its files, a .wasm binary or a"
                    + " .wat text; found " + (modules.isEmpty() ? "none" : String.join(", ", modules)));
        }
        String path = modules.getFirst();
        byte[] content = files.get(path);
        return path.endsWith(".wasm") ? content : Wat.toWasm(new String(content, StandardCharsets.UTF_8));
    }
}
