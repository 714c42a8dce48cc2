package io.nimbus.runtime.java;

import java.util.List;

/** How compiling a function's sources went. */
public sealed interface CompileOutcome {

    /** The classes are in the classes directory; warnings, if any, are for the author's information. */
    record Compiled(List<CompileDiagnostic> warnings) implements CompileOutcome {
    }

    /**
     * Nothing usable was produced.
     *
     * @param message     one line for the deploy's error message
     * @param diagnostics the compiler's messages, errors first; empty when the compiler could not run
     */
    record Failed(String message, List<CompileDiagnostic> diagnostics) implements CompileOutcome {
    }
}
