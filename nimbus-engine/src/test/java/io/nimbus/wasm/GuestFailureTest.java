package io.nimbus.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.pool.ExecResult;
import org.junit.jupiter.api.Test;

/**
 * The JVM errors no WAT module can raise on demand: whatever happens inside Chicory becomes
 * the invocation's outcome, never an exception for the host.
 */
class GuestFailureTest {

    @Test
    void theJvmRunningOutOfHeapInsideAGuestIsTheFunctionsOutOfMemory() {
        ExecResult result = GuestFailure.of(new OutOfMemoryError("Java heap space"), 128, "logs");

        assertThat(result).isEqualTo(new ExecResult.OutOfMemory(128, "logs"));
    }

    @Test
    void aJavaStackOverflowIsATrap() {
        ExecResult result = GuestFailure.of(new StackOverflowError(), 128, "");

        assertThat(result).isEqualTo(new ExecResult.HandlerFailed("Trap", "call stack exhausted", null, ""));
    }

    @Test
    void aBugInTheRuntimeIsAFunctionErrorNotAHostFailure() {
        ExecResult result = GuestFailure.of(new IllegalStateException("broken"), 128, "");

        assertThat(result).isInstanceOfSatisfying(ExecResult.HandlerFailed.class, failed -> {
            assertThat(failed.type()).isEqualTo("RuntimeError");
            assertThat(failed.message()).contains("broken");
        });
    }
}
