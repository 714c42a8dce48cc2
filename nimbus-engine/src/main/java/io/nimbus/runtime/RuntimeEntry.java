package io.nimbus.runtime;

import io.nimbus.domain.SourceLayout;

import java.util.List;
import java.util.Set;

/**
 * One runtime of the catalogue, whatever runs it: as the API lists it, and what the server
 * needs to accept and run a function of it.
 *
 * @param id              canonical id used in the API ({@code python3.11}, {@code go1.19}, {@code wasm})
 * @param aliases         other names a client may use
 * @param language        what the version belongs to
 * @param version         the interpreter's or compiler's own version; null when it is missing
 * @param kind            how its functions run
 * @param toolchain       the build toolchain's id (io.nimbus.build.Toolchains) for a built runtime; null otherwise
 * @param layout          its handler rule and the file inline source becomes
 * @param missingPackages the Debian packages that would make it available; empty when it is
 */
public record RuntimeEntry(String id, Set<String> aliases, String language, String version, Kind kind,
                           String toolchain, SourceLayout layout, List<String> missingPackages) {

    /** How a runtime's functions run: the API's {@code kind}. */
    public enum Kind {
        /** An interpreter in a warm sandboxed worker (Python, Node). */
        INTERPRETED,
        /** Built first (status {@code building}), then run as its artifact says. */
        COMPILED,
        /** An uploaded WebAssembly module, run in-process; nothing to build. */
        WASM;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public RuntimeEntry {
        aliases = Set.copyOf(aliases);
        missingPackages = List.copyOf(missingPackages);
    }

    public boolean available() {
        return missingPackages.isEmpty();
    }

    /** Whether its functions are built before they run. */
    public boolean built() {
        return toolchain != null;
    }

    public boolean answersTo(String name) {
        return id.equals(name) || aliases.contains(name);
    }

    public String unavailableMessage() {
        return "runtime " + id + " is not available on this server: install it with 'apt-get install -y "
                + String.join(" ", missingPackages) + "'";
    }
}
