/**
 * Managing functions: create, update (a new version), delete, look up by id or name with a
 * short-lived cache; the code directories workers load functions from; and what each version
 * of a compiled or WebAssembly runtime runs: its build, its in-process module.
 */
package io.nimbus.functions;
