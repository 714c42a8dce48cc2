package io.nimbus.build;

import java.io.IOException;
import java.nio.file.Path;

/** How one compiled runtime turns a function's files into an artifact. */
sealed interface Recipe permits GoRecipe, RustWasmRecipe, CWasmRecipe, JavaRecipe {

    /** The artifact's address in the store: the code hash, plus whatever else changes the product. */
    String artifactKey(BuildRequest request);

    /**
     * Adds Nimbus's own files (a worker, glue) to {@code input}, which already holds a copy of
     * the function's files, and says how to compile it.
     */
    BuildPlan plan(BuildRequest request, Path input) throws IOException, InvalidSource;

    /** Why the compiled product cannot be run as its plan says, or null when it can. */
    String check(BuildPlan plan, Path product) throws IOException;

    /** The compiler's output as a user reads it in the build log; most compilers already write it so. */
    default String readableLog(String log) {
        return log;
    }
}
