package io.nimbus.wasm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Rust and C sources under src/test/resources/io/nimbus/wasm/native with Debian's
 * toolchains (rustc with the wasm32 standard library, clang with wasi-libc). A missing
 * toolchain skips the test that needs it: the assumption names the package.
 */
final class NativeToolchains {
    private static final Path RUSTC = Path.of("/usr/bin/rustc");
    private static final Path RUST_WASM32_STD = Path.of("/usr/lib/rustlib/wasm32-unknown-unknown");
    private static final Path CLANG = Path.of("/usr/bin/clang");
    private static final Path WASI_LIBC = Path.of("/usr/lib/wasm32-wasi/libc.a");

    private NativeToolchains() {
    }

    /** A cdylib for wasm32-unknown-unknown: the handler ABI, no imports. */
    static byte[] rustHandler(String source, Path workDirectory) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(RUSTC) && Files.isDirectory(RUST_WASM32_STD),
                "needs rustc and libstd-rust-dev-wasm32 (apt-get install rustc libstd-rust-dev-wasm32)");
        Path output = workDirectory.resolve("handler.wasm");
        build(List.of(RUSTC.toString(), "--target", "wasm32-unknown-unknown", "--crate-type", "cdylib", "-O",
                "-o", output.toString(), copy(source, workDirectory).toString()));
        return Files.readAllBytes(output);
    }

    /** A WASI command linked against wasi-libc. */
    static byte[] cCommand(String source, Path workDirectory) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(CLANG) && Files.isRegularFile(WASI_LIBC),
                "needs clang, lld and wasi-libc (apt-get install clang lld wasi-libc)");
        Path output = workDirectory.resolve("command.wasm");
        build(List.of(CLANG.toString(), "--target=wasm32-wasi", "-O2", "-o", output.toString(),
                copy(source, workDirectory).toString()));
        return Files.readAllBytes(output);
    }

    private static Path copy(String source, Path workDirectory) throws IOException {
        Path copy = workDirectory.resolve(source);
        try (InputStream text = NativeToolchains.class.getResourceAsStream("native/" + source)) {
            Files.copy(text, copy);
        }
        return copy;
    }

    private static void build(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
