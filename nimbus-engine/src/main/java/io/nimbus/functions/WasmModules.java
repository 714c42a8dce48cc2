package io.nimbus.functions;

import io.nimbus.domain.Function;
import io.nimbus.wasm.InvalidWasmException;
import io.nimbus.wasm.WasmEngine;
import io.nimbus.wasm.WasmFunction;
import io.nimbus.wasm.WasmModule;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The WebAssembly module of each function version that runs in-process, compiled once on its
 * first invocation and kept until the version is replaced or deleted; with the slots that cap
 * its concurrent invocations at {@code max_instances}, as a pool caps its instances.
 */
public final class WasmModules {
    private final WasmEngine engine;
    private final Map<String, Loaded> byVersion = new ConcurrentHashMap<>();

    public WasmModules(WasmEngine engine) {
        this.engine = engine;
    }

    /** A version's module and its invocation slots. */
    public record Loaded(WasmModule module, Semaphore slots) {
    }

    /** Where a version's module bytes come from, read only when it is not loaded yet. */
    @FunctionalInterface
    public interface ModuleBytes {
        byte[] read() throws InvalidWasmException;
    }

    /** The version's module, and whether this call compiled it (a cold start). */
    public record Found(Loaded loaded, boolean compiledNow) {
    }

    public Found find(Function function, ModuleBytes bytes) throws InvalidWasmException {
        Loaded loaded = byVersion.get(function.versionKey());
        if (loaded != null) {
            return new Found(loaded, false);
        }
        WasmModule module = engine.compile(bytes.read(),
                new WasmFunction(function.name(), function.envVars(), function.memoryMb()));
        Loaded mine = new Loaded(module, new Semaphore(function.maxInstances()));
        Loaded theirs = byVersion.putIfAbsent(function.versionKey(), mine);
        return theirs == null ? new Found(mine, true) : new Found(theirs, false);
    }

    /** Drops the modules of the function's versions below {@code lowestVersion} but the {@code kept} ones; running invocations finish. */
    public void forgetBelow(String functionId, int lowestVersion, java.util.Set<Integer> kept) {
        byVersion.keySet().removeIf(key -> {
            if (!key.startsWith(functionId + ":")) {
                return false;
            }
            int version = Integer.parseInt(key.substring(functionId.length() + 1));
            return version < lowestVersion && !kept.contains(version);
        });
    }

    public WasmEngine engine() {
        return engine;
    }
}
