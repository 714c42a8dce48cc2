package io.nimbus.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import io.nimbus.pool.ExecResult;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.opentest4j.TestAbortedException;

/**
 * The numbers behind docs/decisions/0011-webassembly-on-chicory.md: compile time, cold and warm
 * invocations, fresh against reused instances, the interpreter, a class cache, and fib(30)
 * against Node's V8. Prints only; no assertion, so it is a main, not a test. Run it as that
 * record says.
 */
public final class WasmBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int WARM_INVOCATIONS = 20_000;
    private static final int COMPILES = 300;

    private WasmBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, byte[]> modules = new LinkedHashMap<>();
        modules.put("handler (WAT echo)", TestModules.wasm("echo-handler.wat"));
        modules.put("WASI command (WAT hello)", TestModules.wasm("hello-wasi.wat"));
        Path work = Files.createTempDirectory("nimbus-wasm-bench");
        try {
            modules.put("WASI command (C, wasi-libc)", NativeToolchains.cCommand("echo_command.c", work));
        } catch (TestAbortedException missing) {
            System.out.println("(no C toolchain: " + missing.getMessage() + ")");
        }
        System.out.printf("java %s, %d cpus%n%n", Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (Map.Entry<String, byte[]> module : modules.entrySet()) {
            measureModule(module.getKey(), module.getValue());
        }
        measureHandOff();
        measureFib(work);
    }

    private static void measureModule(String name, byte[] wasm) throws Exception {
        System.out.printf("== %s, %d bytes%n", name, wasm.length);
        WasmFunction function = new WasmFunction("bench", Map.of(), 128);
        byte[] event = "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8);
        var parsed = Parser.parse(wasm);
        boolean command = !exports(parsed).contains("handle");
        try (WasmEngine tiered = new WasmEngine(); WasmEngine eager = new WasmEngine(Runnable::run);
             WasmEngine interpreting = new WasmEngine(compilation -> { })) {
            report("parse", COMPILES, () -> Parser.parse(wasm));
            report("compile: parse, check, bytecode (synchronous)", COMPILES, () -> eager.compile(wasm, function));
            report("cold, eager: compile + first invoke", COMPILES,
                    () -> eager.compile(wasm, function).invoke(event, TIMEOUT));
            WasmModule[] latest = new WasmModule[1];
            report("cold, tiered: check + first invoke (interpreted)", COMPILES, () -> {
                latest[0] = tiered.compile(wasm, function);
                return latest[0].invoke(event, TIMEOUT);
            }, () -> awaitCompiled(latest[0]));
            report("cold, interpreted, no compiler competing for CPU", COMPILES,
                    () -> interpreting.compile(wasm, function).invoke(event, TIMEOUT));
            Cache cache = new MapCache(new ConcurrentHashMap<>());
            MachineFactoryCompiler.builder(parsed).withCache(cache).compile();
            report("compile with a warm class cache", COMPILES,
                    () -> MachineFactoryCompiler.builder(Parser.parse(wasm)).withCache(cache).compile());
            report("interpreter cold: parse + instantiate + call", COMPILES,
                    () -> callOnce(Parser.parse(wasm), null, event, command));

            WasmModule module = tiered.compile(wasm, function);
            awaitCompiled(module);
            expectCompleted(module.invoke(event, TIMEOUT));
            report("warm invoke, fresh instance (engine path)", WARM_INVOCATIONS, () -> module.invoke(event, TIMEOUT));
        }
        Function<Instance, Machine> machines = MachineFactoryCompiler.compile(parsed);
        report("instantiate only, with WASI (compiled)", WARM_INVOCATIONS, () -> instantiate(parsed, machines));
        report("warm call, fresh instance, same thread", WARM_INVOCATIONS,
                () -> callOnce(parsed, machines, event, command));
        report("warm call, interpreter, fresh instance", WARM_INVOCATIONS / 4,
                () -> callOnce(parsed, null, event, command));
        if (!command) {
            // Few calls: its bump allocator never frees, so a reused instance runs out of memory after ~4,600.
            Instance reused = instantiate(parsed, machines);
            report("warm call, reused instance, same thread", 2_000, () -> callHandler(reused, event));
        }
        System.out.println();
    }

    private static void awaitCompiled(WasmModule module) throws InterruptedException {
        while (!module.isCompiled()) {
            Thread.sleep(1);
        }
    }

    /** The hand-off to an engine thread and back, with nothing to run: what pooling could not save. */
    private static void measureHandOff() throws Exception {
        ThreadPoolExecutor threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), Thread.ofPlatform().daemon(true).factory());
        report("== hand-off to a platform thread and back (no work)", WARM_INVOCATIONS,
                () -> threads.submit(() -> 1).get());
        threads.shutdownNow();
        System.out.println();
    }

    private static void measureFib(Path work) throws Exception {
        byte[] wasm = Wat.toWasm("""
                (module
                  (func $fib (export "fib") (param $n i32) (result i32)
                    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
                      (then (local.get $n))
                      (else (i32.add
                        (call $fib (i32.sub (local.get $n) (i32.const 1)))
                        (call $fib (i32.sub (local.get $n) (i32.const 2))))))))""");
        var parsed = Parser.parse(wasm);
        ExportFunction compiled = Instance.builder(parsed).withMachineFactory(MachineFactoryCompiler.compile(parsed))
                .build().export("fib");
        ExportFunction interpreted = Instance.builder(parsed).build().export("fib");
        System.out.println("== fib(30), recursive, ms per call (median of 10 after 20 warm-up calls)");
        System.out.printf("  Chicory compiled      %8.2f%n", fibMillis(compiled, 20, 10));
        System.out.printf("  Chicory interpreter   %8.2f  (median of 3 after 1)%n", fibMillis(interpreted, 1, 3));
        Path module = work.resolve("fib.wasm");
        Files.write(module, wasm);
        System.out.printf("  Node %s V8    %s%n", node("process.version").strip(), node("""
                const m = await WebAssembly.instantiate(require('fs').readFileSync(process.argv[1]));
                const fib = m.instance.exports.fib; const times = [];
                for (let i = 0; i < 30; i++) {
                  const start = process.hrtime.bigint(); fib(30); times.push(Number(process.hrtime.bigint() - start) / 1e6);
                }
                const warm = times.slice(20).sort((a, b) => a - b);
                console.log(((warm[4] + warm[5]) / 2).toFixed(2).padStart(8));""", module.toString()).strip());
    }

    private static double fibMillis(ExportFunction fib, int warmUps, int runs) {
        for (int i = 0; i < warmUps; i++) {
            fib.apply(30);
        }
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            if (fib.apply(30)[0] != 832040) {
                throw new IllegalStateException("fib(30) is wrong");
            }
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        return (times[(runs - 1) / 2] + times[runs / 2]) / 2 / 1e6;
    }

    private static String node(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/node", "--input-type=module", "-e",
                "import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
                        + (script.contains("console.log") ? script : "console.log(" + script + ")"), "--"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream output = process.getInputStream()) {
            String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return text;
        }
    }

    private static Instance instantiate(com.dylibso.chicory.wasm.WasmModule parsed,
                                        Function<Instance, Machine> machines) {
        WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasiLog.INSTANCE).withOptions(WasiOptions.builder()
                .withStdout(new ByteArrayOutputStream()).withStderr(new ByteArrayOutputStream()).build()).build();
        Instance.Builder builder = Instance.builder(parsed)
                .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                .withMemoryFactory(ByteArrayMemory::new)
                .withStart(false);
        if (machines != null) {
            builder.withMachineFactory(machines);
        }
        return builder.build();
    }

    private static Object callOnce(com.dylibso.chicory.wasm.WasmModule parsed, Function<Instance, Machine> machines,
                                   byte[] event, boolean command) {
        Instance instance = instantiate(parsed, machines);
        if (command) {
            try {
                instance.export("_start").apply();
            } catch (com.dylibso.chicory.wasi.WasiExitException exit) {
                return exit.exitCode();
            }
            return instance;
        }
        return callHandler(instance, event);
    }

    private static List<String> exports(com.dylibso.chicory.wasm.WasmModule parsed) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < parsed.exportSection().exportCount(); i++) {
            names.add(parsed.exportSection().getExport(i).name());
        }
        return names;
    }

    private static byte[] callHandler(Instance instance, byte[] event) {
        int input = (int) instance.export("alloc").apply(event.length)[0];
        instance.memory().write(input, event);
        long packed = instance.export("handle").apply(input, event.length)[0];
        return instance.memory().readBytes((int) (packed >>> 32), (int) packed);
    }

    private static void expectCompleted(ExecResult result) {
        if (!(result instanceof ExecResult.Completed)) {
            throw new IllegalStateException("the module did not complete: " + result);
        }
    }

    private interface Work {
        Object run() throws Exception;
    }

    private interface Settle {
        void run() throws Exception;
    }

    private static void report(String what, int times, Work work) throws Exception {
        report(what, times, work, () -> { });
    }

    /**
     * Runs {@code work} as many times untimed (JIT warm-up), then as many timed, each followed by
     * {@code settle} untimed; prints percentiles.
     */
    private static void report(String what, int times, Work work, Settle settle) throws Exception {
        for (int i = 0; i < times; i++) {
            work.run();
            settle.run();
        }
        long[] nanos = new long[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            work.run();
            nanos[i] = System.nanoTime() - start;
            settle.run();
        }
        Arrays.sort(nanos);
        System.out.printf("  %-52s p50 %9.1f µs   p90 %9.1f µs   p99 %9.1f µs%n", what,
                nanos[times / 2] / 1e3, nanos[times * 9 / 10] / 1e3, nanos[times * 99 / 100] / 1e3);
    }

    private record MapCache(Map<String, byte[]> classes) implements Cache {
        @Override
        public byte[] get(String key) {
            return classes.get(key);
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {
            classes.putIfAbsent(key, data);
        }
    }
}
