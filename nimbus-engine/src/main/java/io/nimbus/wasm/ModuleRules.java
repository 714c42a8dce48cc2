package io.nimbus.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a module must look like to run on Nimbus, checked once at compile time so that an
 * unusable module is refused at deploy with a message naming the problem, instead of failing
 * every invocation.
 */
final class ModuleRules {
    private static final String WASI_MODULE = "wasi_snapshot_preview1";
    private static final FunctionType ALLOC = FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));
    private static final FunctionType HANDLE = FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I64));
    private static final FunctionType START = FunctionType.empty();
    private static final int PAGES_PER_MIB = 16;
    /** The WASI functions Chicory provides, by name: the only imports a module may have. */
    private static final Map<String, FunctionType> WASI_FUNCTIONS = wasiFunctions();

    private ModuleRules() {
    }

    /** Refuses imports Nimbus cannot satisfy: anything but WASI preview 1 functions. */
    static void checkImports(WasmModule module) throws InvalidWasmException {
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imported = module.importSection().getImport(i);
            String name = imported.module() + "." + imported.name();
            FunctionType wanted = WASI_FUNCTIONS.get(imported.name());
            if (!(imported instanceof FunctionImport function) || !imported.module().equals(WASI_MODULE)
                    || wanted == null) {
                throw new InvalidWasmException("the module imports " + name + ", which Nimbus does not provide:"
                        + " a module may import only WASI preview 1 functions (" + WASI_MODULE + ")");
            }
            FunctionType declared = module.typeSection().getType(function.typeIndex());
            if (!declared.typesMatch(wanted)) {
                throw new InvalidWasmException("the module imports " + name + " as " + signature(declared)
                        + ", but WASI defines it as " + signature(wanted));
            }
        }
    }

    /** The entry point Nimbus calls; a module with both a handler and {@code _start} is a handler. */
    static WasmAbi abi(WasmModule module) throws InvalidWasmException {
        Map<String, Export> exports = exports(module);
        if (exports.containsKey("alloc") && exports.containsKey("handle")) {
            requireMemory(exports, "a handler module");
            requireFunction(module, exports, "alloc", ALLOC);
            requireFunction(module, exports, "handle", HANDLE);
            return WasmAbi.HANDLER;
        }
        if (exports.containsKey("_start")) {
            requireFunction(module, exports, "_start", START);
            return WasmAbi.WASI_COMMAND;
        }
        List<String> missing = new ArrayList<>();
        for (String name : List.of("memory", "alloc", "handle")) {
            if (!exports.containsKey(name)) {
                missing.add(name);
            }
        }
        throw new InvalidWasmException("the module has no entry point: a handler exports memory, alloc and handle"
                + " (missing: " + String.join(", ", missing) + "), a WASI command exports _start (missing)");
    }

    /**
     * Whether a handler module is a WASI reactor, whose {@code _initialize} (the C or Rust
     * runtime's constructors) must run before any other export is called.
     */
    static boolean needsInitialize(WasmModule module) throws InvalidWasmException {
        Map<String, Export> exports = exports(module);
        if (!exports.containsKey("_initialize")) {
            return false;
        }
        requireFunction(module, exports, "_initialize", START);
        return true;
    }

    /**
     * The module's memory limits with the maximum lowered to {@code memoryMb}; empty when it has
     * no memory. Refuses more than one memory (the cap could not be shared out) and an initial
     * size already over the cap.
     */
    static Optional<MemoryLimits> cappedMemory(WasmModule module, int memoryMb) throws InvalidWasmException {
        int memories = module.memorySection().map(section -> section.memoryCount()).orElse(0);
        if (memories == 0) {
            return Optional.empty();
        }
        if (memories > 1) {
            throw new InvalidWasmException("the module declares " + memories + " memories; Nimbus runs modules"
                    + " with one memory");
        }
        MemoryLimits declared = module.memorySection().orElseThrow().getMemory(0).limits();
        int cap = capPages(memoryMb);
        if (declared.initialPages() > cap) {
            throw new InvalidWasmException("the module's initial memory is " + declared.initialPages()
                    + " pages (" + mib(declared.initialPages()) + " MiB), more than the function's memory_mb ("
                    + memoryMb + ") allows");
        }
        return Optional.of(new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), cap),
                declared.shared()));
    }

    /** {@code memoryMb} in 64 KiB pages, no more than a Java byte array can hold. */
    static int capPages(int memoryMb) {
        return (int) Math.min((long) memoryMb * PAGES_PER_MIB, Memory.RUNTIME_MAX_PAGES);
    }

    private static String mib(int pages) {
        return String.format(Locale.ROOT, "%.1f", pages / (double) PAGES_PER_MIB);
    }

    private static void requireMemory(Map<String, Export> exports, String what) throws InvalidWasmException {
        Export memory = exports.get("memory");
        if (memory == null || memory.exportType() != ExternalType.MEMORY) {
            throw new InvalidWasmException(what + " must export its memory as \"memory\"");
        }
    }

    private static void requireFunction(WasmModule module, Map<String, Export> exports, String name,
                                        FunctionType wanted) throws InvalidWasmException {
        Export export = exports.get(name);
        if (export.exportType() != ExternalType.FUNCTION) {
            throw new InvalidWasmException("the module exports " + name + " but it is not a function");
        }
        FunctionType declared = functionType(module, export.index());
        if (!declared.typesMatch(wanted)) {
            throw new InvalidWasmException("the module's " + name + " is " + signature(declared) + "; it must be "
                    + signature(wanted));
        }
    }

    /** The type of a function index: imported functions come first in the index space. */
    private static FunctionType functionType(WasmModule module, int index) {
        List<FunctionImport> imported = module.importSection().stream()
                .filter(FunctionImport.class::isInstance).map(FunctionImport.class::cast).toList();
        if (index < imported.size()) {
            return module.typeSection().getType(imported.get(index).typeIndex());
        }
        return module.typeSection().getType(module.functionSection().getFunctionType(index - imported.size()));
    }

    /** As a user would write it: {@code (i32, i32) -> i64}. */
    private static String signature(FunctionType type) {
        return "(" + names(type.params()) + ") -> " + (type.returns().size() == 1 ? names(type.returns())
                : "(" + names(type.returns()) + ")");
    }

    private static String names(List<ValType> types) {
        return String.join(", ", types.stream().map(type -> type.toString().toLowerCase(Locale.ROOT)).toList());
    }

    private static Map<String, Export> exports(WasmModule module) {
        Map<String, Export> exports = new HashMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export export = module.exportSection().getExport(i);
            exports.put(export.name(), export);
        }
        return exports;
    }

    private static Map<String, FunctionType> wasiFunctions() {
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasiLog.INSTANCE).build()) {
            Map<String, FunctionType> functions = new HashMap<>();
            for (HostFunction function : wasi.toHostFunctions()) {
                functions.put(function.name(), function.functionType());
            }
            return Map.copyOf(functions);
        }
    }
}
