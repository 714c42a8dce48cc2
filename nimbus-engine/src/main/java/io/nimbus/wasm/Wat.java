package io.nimbus.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * The WebAssembly text format, so that users may upload WAT instead of a binary. The converter
 * is WABT's own wat2wasm, compiled to WebAssembly and shipped in Chicory's {@code wabt}
 * artifact, run here on Chicory like any guest: reference behaviour and error messages, no
 * native tool to install, and no file system (the text goes in on stdin, the module comes
 * out on stdout).
 */
public final class Wat {
    /** Where the wabt artifact keeps the WebAssembly build of wat2wasm. */
    private static final String WAT2WASM = "/wat2wasm";

    private Wat() {
    }

    /** The binary module for {@code text}; refused with wat2wasm's messages when the text is not valid. */
    public static byte[] toWasm(String text) throws InvalidWasmException {
        ByteArrayOutputStream module = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        WasiOptions options = WasiOptions.builder()
                .withStdin(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), false)
                .withStdout(module, false)
                .withStderr(errors, false)
                .withArguments(List.of("wat2wasm", "-", "--output=-"))
                .build();
        int status = 0;
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasiLog.INSTANCE).withOptions(options).build()) {
            Instance.builder(Converter.MODULE)
                    .withMachineFactory(Converter.MACHINES)
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                    .build();
        } catch (WasiExitException exit) {
            status = exit.exitCode();
        }
        if (status != 0 || module.size() == 0) {
            throw new InvalidWasmException("invalid WebAssembly text: " + readable(errors));
        }
        return module.toByteArray();
    }

    /** wat2wasm names the input "-" (stdin) at the start of each message; drop that. */
    private static String readable(ByteArrayOutputStream errors) {
        return errors.toString(StandardCharsets.UTF_8).strip().replaceAll("(?m)^-:", "line ");
    }

    /**
     * Parsed and compiled on first use, once per process: about a second for wat2wasm's
     * 1.4 MB, which only deployments of WAT pay.
     */
    private static final class Converter {
        static final WasmModule MODULE = load();
        static final Function<Instance, Machine> MACHINES = MachineFactoryCompiler.compile(MODULE);

        private static WasmModule load() {
            try (InputStream wasm = Wat.class.getResourceAsStream(WAT2WASM)) {
                if (wasm == null) {
                    throw new IllegalStateException(WAT2WASM
                            + " is missing from the classpath (Chicory's wabt artifact)");
                }
                return Parser.parse(wasm);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
