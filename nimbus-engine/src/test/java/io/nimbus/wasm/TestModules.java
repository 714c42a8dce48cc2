package io.nimbus.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The WAT modules under src/test/resources/io/nimbus/wasm, converted with {@link Wat}. */
final class TestModules {
    static final int MEMORY_MB = 64;

    private TestModules() {
    }

    static byte[] wasm(String resource) {
        try (InputStream text = TestModules.class.getResourceAsStream(resource)) {
            if (text == null) {
                throw new IllegalArgumentException("no test module " + resource);
            }
            return Wat.toWasm(new String(text.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidWasmException e) {
            throw new IllegalStateException(resource + ": " + e.getMessage(), e);
        }
    }

    static WasmFunction function(String name) {
        return new WasmFunction(name, Map.of(), MEMORY_MB);
    }
}
