/**
 * WebAssembly functions run in-process on Chicory, compiled to JVM bytecode: a module compiled
 * once per function version ({@link io.nimbus.wasm.WasmModule}), a fresh instance per invocation
 * on the engine's platform threads ({@link io.nimbus.wasm.WasmEngine}), and WAT text support
 * ({@link io.nimbus.wasm.Wat}).
 */
package io.nimbus.wasm;
