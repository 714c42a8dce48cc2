package io.nimbus.build;

import java.util.List;
import java.util.Set;

/**
 * One compiled runtime as found on this machine.
 *
 * @param id              canonical id used in the API: {@code go}, {@code rust-wasm}, {@code c-wasm}
 * @param aliases         other names a client may use
 * @param language        what the version belongs to ({@code Go}, {@code Rust}, {@code C (clang)})
 * @param version         the compiler's own version ({@code 1.19.8}), or null when it is not installed
 * @param missingPackages the Debian packages to install before the runtime works; empty when it is available
 */
public record Toolchain(String id, Set<String> aliases, String language, String version, List<String> missingPackages) {

    public Toolchain {
        aliases = Set.copyOf(aliases);
        missingPackages = List.copyOf(missingPackages);
    }

    public boolean available() {
        return missingPackages.isEmpty();
    }

    public boolean answersTo(String name) {
        return id.equals(name) || aliases.contains(name);
    }

    /** What to tell a client asking for this runtime while it is unavailable. */
    public String unavailableMessage() {
        return "runtime " + id + " is not available on this server: install it with 'apt-get install -y "
                + String.join(" ", missingPackages) + "'";
    }
}
