/**
 * The build side of compiled runtimes (Go, Rust and C to WebAssembly): which toolchains this
 * machine has, the recipe per runtime, and the {@link io.nimbus.build.Builder} that compiles a
 * function's code off the request path, sandboxed, into a content-addressed artifact store.
 */
package io.nimbus.build;
