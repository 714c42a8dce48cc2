package io.nimbus.invoker;

import io.nimbus.build.Artifact;
import io.nimbus.functions.WasmModules;
import io.nimbus.pool.ExecResult;

/** Where one invocation of a function version runs, once its build (if any) is done. */
sealed interface Target {

    /** On an instance of the version's pool: an interpreter's worker, or a built worker. */
    record Pooled() implements Target {
    }

    /** In this process, on the version's WebAssembly module. */
    record InProcess(WasmModules.Found module) implements Target {
    }

    /** A program run once per invocation (Go with its own main). */
    record Plain(Artifact artifact) implements Target {
    }

    /** Nowhere: the result is already known (the build outlasted the invocation's timeout). */
    record Settled(ExecResult result) implements Target {
    }
}
