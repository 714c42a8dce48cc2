package io.nimbus.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class WasmExportsTest {
    /**
     * A module written by hand: a type section (skipped) and an export section with
     * "memory" (kind 2), "handle" (kind 0, function index 200, a two-byte LEB128).
     */
    private static final byte[] MODULE = {
            0, 'a', 's', 'm', 1, 0, 0, 0,
            1, 4, 1, 0x60, 0, 0,
            7, 18, 2,
            6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0,
            6, 'h', 'a', 'n', 'd', 'l', 'e', 0, (byte) 0xC8, 1,
    };

    @TempDir
    Path dir;

    @Test
    void readsTheExportNamesPastOtherSections() throws Exception {
        Path module = Files.write(dir.resolve("m.wasm"), MODULE);

        assertThat(WasmExports.of(module)).containsExactly("memory", "handle");
        assertThat(WasmExports.missing(module, Set.of("memory", "handle"))).isNull();
        assertThat(WasmExports.missing(module, Set.of("memory", "alloc", "handle"))).startsWith("the module does not export alloc;");
    }

    @Test
    void aFileThatIsNotWebAssemblyExportsNothing() throws Exception {
        Path notAModule = Files.writeString(dir.resolve("m.wasm"), "#!/bin/sh\n");

        assertThat(WasmExports.of(notAModule)).isEmpty();
    }
}
