package io.nimbus.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rust to a WebAssembly module with the handler ABI: one crate, its root {@code lib.rs} (or
 * {@code src/lib.rs}), built by rustc alone (no Cargo, so no dependencies but the standard
 * library) for wasm32-unknown-unknown, without the standard library's debug information
 * (which makes a hello 5 MB instead of 30 KB; function names stay). The module must export {@code memory},
 * {@code alloc(size: u32) -> *mut u8} and {@code handle(ptr: *const u8, len: u32) -> i64},
 * the result being {@code (out_ptr << 32) | out_len}; the build fails when one is missing.
 */
final class RustWasmRecipe implements Recipe {
    static final Set<String> HANDLER_EXPORTS = Set.of("memory", "alloc", "handle");
    private static final String PRODUCT = "/tmp/module.wasm";

    @Override
    public String artifactKey(BuildRequest request) {
        return request.codeHash();
    }

    @Override
    public BuildPlan plan(BuildRequest request, Path input) throws InvalidSource {
        String root = Files.isRegularFile(input.resolve("lib.rs")) ? "lib.rs"
                : Files.isRegularFile(input.resolve("src/lib.rs")) ? "src/lib.rs" : null;
        if (root == null) {
            throw new InvalidSource("no lib.rs (or src/lib.rs): the crate root that exports alloc and handle");
        }
        List<String> command = List.of(Toolchains.RUSTC.toString(), "--edition=2021", "--target", "wasm32-unknown-unknown",
                "-O", "-C", "panic=abort", "-C", "strip=debuginfo", "--crate-type=cdylib", "-o", PRODUCT, root);
        return new BuildPlan(command, Map.of(), PRODUCT, Artifact.Mode.WASM_ABI, "module.wasm");
    }

    @Override
    public String check(BuildPlan plan, Path product) throws IOException {
        return WasmExports.missing(product, HANDLER_EXPORTS);
    }
}
