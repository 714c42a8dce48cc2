package io.nimbus.build;

import java.nio.file.Path;

/**
 * What to build.
 *
 * @param runtime   the runtime's id or alias ({@code go}, {@code rust-wasm}, {@code c-wasm})
 * @param sourceDir the function's files, as stored (read, never changed)
 * @param handler   the function's {@code handler} field (for Go, the handler function's name)
 * @param codeHash  the SHA-256 of the function's code: with the handler where it matters, the artifact's address
 */
public record BuildRequest(String runtime, Path sourceDir, String handler, String codeHash) {

    public BuildRequest {
        if (!codeHash.matches("[0-9a-f]{16,128}")) {
            throw new IllegalArgumentException("a code hash is lowercase hex: " + codeHash);
        }
    }
}
