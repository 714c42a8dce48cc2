package io.nimbus.wasm;

/** Invocations on Chicory's interpreter: how a module runs while it is being compiled. */
class InterpretedInvocationTest extends InvocationBehaviour {

    InterpretedInvocationTest() {
        super(false);
    }
}
