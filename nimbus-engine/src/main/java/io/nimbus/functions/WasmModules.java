package io.nimbus.functions;

import io.nimbus.domain.Function;
import io.nimbus.wasm.InvalidWasmException;
import io.nimbus.wasm.WasmEngine;
import io.nimbus.wasm.WasmFunction;
import io.nimbus.wasm.WasmModule;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The WebAssembly module of each function version that runs in-process, compiled once (when
 * it is deployed, where the deploy already had to check it, else on its first invocation) and
 * kept until the version is replaced or deleted; with the slots that cap its concurrent
 * invocations at {@code max_instances}, as a pool caps its instances.
 */
public final class WasmModules {
    private final WasmEngine engine;
    private final Map<String, Loaded> byVersion = new ConcurrentHashMap<>();

    public WasmModules(WasmEngine engine) {
        this.engine = engine;
    }

    /** A version's module, its invocation slots, and whether an invocation has run it yet. */
    public record Loaded(WasmModule module, Semaphore slots, AtomicBoolean unused) {
        Loaded(WasmModule module, int maxInstances) {
            this(module, new Semaphore(maxInstances), new AtomicBoolean(true));
        }
    }

    /** Where a version's module bytes come from, read only when it is not loaded yet. */
    @FunctionalInterface
    public interface ModuleBytes {
        byte[] read() throws InvalidWasmException;
    }

    /** The version's module, and whether this is the version's first invocation (its cold start). */
    public record Found(Loaded loaded, boolean firstInvocation) {
    }

    public Found find(Function function, ModuleBytes bytes) throws InvalidWasmException {
        Loaded loaded = byVersion.get(function.versionKey());
        if (loaded == null) {
            WasmModule module = engine.compile(bytes.read(),
                    new WasmFunction(function.name(), function.envVars(), function.memoryMb()));
            Loaded mine = new Loaded(module, function.maxInstances());
            Loaded theirs = byVersion.putIfAbsent(function.versionKey(), mine);
            loaded = theirs == null ? mine : theirs;
        }
        return new Found(loaded, loaded.unused().getAndSet(false));
    }

    /** Keeps the module a deploy compiled to check it, so that the first invocation need not compile it again. */
    public void adopt(Function function, WasmModule checked) {
        byVersion.putIfAbsent(function.versionKey(), new Loaded(checked, function.maxInstances()));
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
