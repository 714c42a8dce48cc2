/**
 * The runtimes Nimbus runs functions in: the catalogue of all of them (interpreted, compiled,
 * WebAssembly), how python3 and node are found on this machine, which bootstrap speaks the wire
 * protocol for them, which file a handler's module lives in; and how a plain-mode compiled
 * program is run, once per invocation.
 */
package io.nimbus.runtime;
