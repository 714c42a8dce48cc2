package io.nimbus.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * C to WebAssembly with clang and wasi-libc, every {@code .c} file of the function compiled
 * into one module. The source decides the ABI:
 * <ul>
 *   <li>it defines {@code int main(...)}: a WASI command (wasm32-wasi), run once per
 *       invocation with the event on stdin and the result on stdout;</li>
 *   <li>it does not: the handler ABI of the Rust runtime, as a WASI reactor (no {@code _start};
 *       an exported {@code _initialize} runs the C library's constructors and must be called
 *       once before anything else). The function defines
 *       {@code int64_t handle(const char *event, uint32_t len)}; Nimbus adds a weak
 *       {@code alloc} that calls {@code malloc}, which a function may replace with its own.</li>
 * </ul>
 */
final class CWasmRecipe implements Recipe {
    static final Set<String> HANDLER_EXPORTS = Set.of("memory", "alloc", "handle");
    static final Set<String> WASI_EXPORTS = Set.of("memory", "_start");
    private static final String ALLOC_RESOURCE = "/io/nimbus/runtime/c-wasm/nimbus_alloc.c";
    private static final String ALLOC_FILE = ".nimbus/alloc.c";
    private static final Pattern MAIN_FUNCTION = Pattern.compile("\\bint\\s+main\\s*\\(");
    private static final String PRODUCT = "/tmp/module.wasm";

    @Override
    public String artifactKey(BuildRequest request) {
        return request.codeHash();
    }

    @Override
    public BuildPlan plan(BuildRequest request, Path input) throws IOException, InvalidSource {
        List<String> files = SourceFiles.endingWith(input, ".c", true);
        if (files.isEmpty()) {
            throw new InvalidSource("no .c file among the function's files");
        }
        List<String> command = new ArrayList<>(List.of(Toolchains.CLANG.toString(), "--target=wasm32-wasi", "-O2"));
        if (SourceFiles.anyDeclares(input, files, MAIN_FUNCTION)) {
            command.addAll(List.of("-o", PRODUCT));
            command.addAll(files);
            return new BuildPlan(command, Map.of(), PRODUCT, Artifact.Mode.WASI, "module.wasm");
        }
        addAlloc(input);
        command.addAll(List.of("-mexec-model=reactor", "-Wl,--export=alloc", "-Wl,--export=handle", "-o", PRODUCT));
        command.addAll(files);
        command.add(ALLOC_FILE);
        return new BuildPlan(command, Map.of(), PRODUCT, Artifact.Mode.WASM_ABI, "module.wasm");
    }

    @Override
    public String check(BuildPlan plan, Path product) throws IOException {
        return WasmExports.missing(product, plan.mode() == Artifact.Mode.WASI ? WASI_EXPORTS : HANDLER_EXPORTS);
    }

    private static void addAlloc(Path input) throws IOException {
        Path target = Files.createDirectories(input.resolve(ALLOC_FILE).getParent()).resolve("alloc.c");
        try (InputStream alloc = CWasmRecipe.class.getResourceAsStream(ALLOC_RESOURCE)) {
            if (alloc == null) {
                throw new IOException(ALLOC_RESOURCE + " is missing from the classpath");
            }
            Files.copy(alloc, target);
        }
    }
}
