package io.nimbus.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The export names of a WebAssembly module, read from its export section (binary format:
 * the magic {@code \0asm}, version 1, then sections of {@code id, u32 LEB128 size, contents};
 * the export section, id 7, is a vector of {@code name, kind byte, u32 index}). Enough to
 * refuse, at build time, a module that lacks what its ABI needs.
 */
final class WasmExports {
    private static final byte[] MAGIC = {0, 'a', 's', 'm', 1, 0, 0, 0};
    private static final int EXPORT_SECTION = 7;

    private final byte[] bytes;
    private int position;

    private WasmExports(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The module's export names; empty when it is not a WebAssembly module. */
    static Set<String> of(Path module) throws IOException {
        return new WasmExports(Files.readAllBytes(module)).exports();
    }

    /** Which of {@code required} the module lacks, as a message for the build log, or null when it has them all. */
    static String missing(Path module, Set<String> required) throws IOException {
        Set<String> absent = new TreeSet<>(required);
        absent.removeAll(of(module));
        return absent.isEmpty() ? null
                : "the module does not export " + String.join(", ", absent) + "; its ABI needs " + String.join(", ", new TreeSet<>(required));
    }

    private Set<String> exports() {
        Set<String> names = new LinkedHashSet<>();
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return names;
        }
        position = MAGIC.length;
        try {
            while (position < bytes.length) {
                int id = bytes[position++] & 0xFF;
                int size = (int) unsignedLeb();
                int end = position + size;
                if (id == EXPORT_SECTION) {
                    long count = unsignedLeb();
                    for (long i = 0; i < count; i++) {
                        int length = (int) unsignedLeb();
                        names.add(new String(bytes, position, length, StandardCharsets.UTF_8));
                        position += length + 1;
                        unsignedLeb();
                    }
                    return names;
                }
                position = end;
            }
        } catch (IndexOutOfBoundsException malformed) {
            // a truncated module has the exports read so far
        }
        return names;
    }

    private long unsignedLeb() {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = bytes[position++] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }
}
