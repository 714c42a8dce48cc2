package io.nimbus.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A built function in the store: a directory holding the entry file and {@code artifact.json},
 * the manifest that says how to run it.
 *
 * @param dir              {@code <data-dir>/artifacts/<runtime>/<key>/}
 * @param runtime          the runtime's id
 * @param mode             how the host runs the entry file
 * @param entry            the entry file's name in {@code dir}
 * @param toolchainVersion the compiler's version that built it
 */
public record Artifact(Path dir, String runtime, Mode mode, String entry, String toolchainVersion) {
    public static final String MANIFEST = "artifact.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How an artifact is run. */
    public enum Mode {
        /** A long-lived worker speaking the wire protocol on fds 3 and 4 (Go with a handler). */
        WORKER("worker"),
        /** A program run once per invocation: the event on stdin, the result as JSON on stdout (Go with its own main). */
        PLAIN("plain"),
        /** A WebAssembly module with the handler ABI: exports memory, alloc(size) and handle(ptr, len). */
        WASM_ABI("wasm-abi"),
        /** A WASI command module: the event on stdin, the result on stdout. */
        WASI("wasi"),
        /** A Java function's classes, {@code lib/function.jar}, loaded by the SDK's worker in a JVM. */
        JAVA("java");

        private final String manifestName;

        Mode(String manifestName) {
            this.manifestName = manifestName;
        }

        public String manifestName() {
            return manifestName;
        }

        static Mode fromManifest(String name) {
            return Arrays.stream(values()).filter(m -> m.manifestName.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown artifact mode " + name));
        }
    }

    public Path entryFile() {
        return dir.resolve(entry);
    }

    /** Reads the manifest of a stored artifact. */
    public static Artifact read(Path dir) throws IOException {
        JsonNode manifest = JSON.readTree(dir.resolve(MANIFEST).toFile());
        return new Artifact(dir, manifest.path("runtime").asText(), Mode.fromManifest(manifest.path("mode").asText()),
                manifest.path("entry").asText(), manifest.path("toolchain_version").asText());
    }

    /** Writes the manifest into {@code dir}. */
    void writeManifest() throws IOException {
        ObjectNode manifest = JSON.createObjectNode()
                .put("runtime", runtime)
                .put("mode", mode.manifestName())
                .put("entry", entry)
                .put("toolchain_version", toolchainVersion);
        Files.write(dir.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    }

    Artifact movedTo(Path newDir) {
        return new Artifact(newDir, runtime, mode, entry, toolchainVersion);
    }
}
