package io.nimbus.runtime;

import io.nimbus.build.Toolchain;
import io.nimbus.build.Toolchains;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.HandlerRule;
import io.nimbus.domain.SourceLayout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every runtime of this server in one list, whatever runs it: the interpreters
 * ({@link RuntimeRegistry}), the compiled runtimes ({@link Toolchains}), and WebAssembly,
 * which needs nothing installed (Chicory runs in-process). It answers the API's runtime
 * listing and decides, once, which runtime a function's {@code runtime} field names.
 */
public final class RuntimeCatalogue {
    public static final String WASM = "wasm";

    private final RuntimeRegistry interpreters;
    private final List<RuntimeEntry> entries;

    public RuntimeCatalogue(RuntimeRegistry interpreters, Toolchains toolchains) {
        this.interpreters = interpreters;
        List<RuntimeEntry> all = new ArrayList<>();
        interpreters.all().forEach(runtime -> all.add(interpreted(runtime)));
        toolchains.all().forEach(toolchain -> all.add(compiled(toolchain)));
        all.add(new RuntimeEntry(WASM, Set.of("webassembly", "wat"), "WebAssembly (Chicory)", "1.7.5",
                RuntimeEntry.Kind.WASM, null, new SourceLayout(HandlerRule.NONE, ".wat", "module.wat"), List.of()));
        this.entries = List.copyOf(all);
    }

    public List<RuntimeEntry> all() {
        return entries;
    }

    public Optional<RuntimeEntry> find(String name) {
        return entries.stream().filter(entry -> entry.answersTo(name)).findFirst();
    }

    /** The runtime a function asks for, refusing unknown and unavailable ones with a message that says how to fix it. */
    public RuntimeEntry require(String name) {
        RuntimeEntry entry = find(name).orElseThrow(() -> DomainException.invalid("runtime", "unknown runtime '" + name
                + "'; known: " + String.join(", ", entries.stream().map(RuntimeEntry::id).toList())));
        if (!entry.available()) {
            throw new DomainException(DomainException.Kind.INVALID, "RuntimeUnavailable", entry.unavailableMessage(),
                    "runtime");
        }
        return entry;
    }

    /** The interpreter behind an interpreted runtime. */
    public Optional<Runtime> interpreter(String id) {
        return interpreters.find(id);
    }

    private static RuntimeEntry interpreted(Runtime runtime) {
        return new RuntimeEntry(runtime.id(), runtime.aliases(), runtime.language(), runtime.version(),
                RuntimeEntry.Kind.INTERPRETED, null,
                new SourceLayout(HandlerRule.MODULE_FUNCTION, runtime.inlineSourceExtension(), null),
                runtime.available() ? List.of() : List.of(runtime.missingPackage()));
    }

    /**
     * Go is named after its installed version ({@code go1.19}), as Lambda names its runtimes, and
     * answers to {@code go} and {@code golang} as well; the others keep the toolchain's id.
     */
    private static RuntimeEntry compiled(Toolchain toolchain) {
        String id = toolchain.id();
        Set<String> aliases = new HashSet<>(toolchain.aliases());
        SourceLayout layout = switch (toolchain.id()) {
            case Toolchains.GO -> new SourceLayout(HandlerRule.GO_FUNCTION, ".go", "main.go");
            case Toolchains.RUST_WASM -> new SourceLayout(HandlerRule.NONE, ".rs", "lib.rs");
            case Toolchains.JAVA -> new SourceLayout(HandlerRule.JAVA_CLASS, ".java", null);
            default -> new SourceLayout(HandlerRule.NONE, ".c", "main.c");
        };
        if (toolchain.id().equals(Toolchains.GO) && toolchain.version() != null) {
            String[] parts = toolchain.version().split("\\.");
            id = "go" + parts[0] + "." + parts[1];
            aliases.add(Toolchains.GO);
        }
        return new RuntimeEntry(id, aliases, toolchain.language(), toolchain.version(), RuntimeEntry.Kind.COMPILED,
                toolchain.id(), layout, toolchain.missingPackages());
    }
}
