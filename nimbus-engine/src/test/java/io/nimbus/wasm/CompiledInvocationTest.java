package io.nimbus.wasm;

/** Invocations running the Chicory compiler's JVM bytecode: how a module runs once compiled. */
class CompiledInvocationTest extends InvocationBehaviour {

    CompiledInvocationTest() {
        super(true);
    }
}
