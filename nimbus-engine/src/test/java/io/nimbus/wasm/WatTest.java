package io.nimbus.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WatTest {

    @Test
    void textBecomesABinaryModule() throws InvalidWasmException {
        byte[] wasm = Wat.toWasm("(module (func (export \"answer\") (result i32) i32.const 42))");

        assertThat(wasm).startsWith(0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00);
    }

    @Test
    void invalidTextIsRefusedWithTheConvertersMessageAndPosition() {
        assertThatThrownBy(() -> Wat.toWasm("(module\n  (func (result i32) i64.const 1))"))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessageStartingWith("invalid WebAssembly text: line 2:")
                .hasMessageContaining("type mismatch");
    }

    @Test
    void syntaxErrorsAreRefused() {
        assertThatThrownBy(() -> Wat.toWasm("(module (fun))"))
                .isInstanceOf(InvalidWasmException.class)
                .hasMessageContaining("line 1:")
                .hasMessageContaining("error");
    }
}
