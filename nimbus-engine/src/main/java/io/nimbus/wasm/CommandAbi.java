package io.nimbus.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiExitException;
import io.nimbus.pool.ExecResult;

/** One run of a {@link WasmAbi#WASI_COMMAND}: {@code _start} until it returns or exits. */
final class CommandAbi {

    private CommandAbi() {
    }

    static ExecResult call(Instance instance, ResultStream stdout, GuestLogs logs) {
        int status = 0;
        try {
            instance.export("_start").apply();
        } catch (WasiExitException exit) {
            status = exit.exitCode();
        }
        if (status != 0) {
            return GuestFailure.exited(status, logs.text());
        }
        if (stdout.overLimit()) {
            return new ExecResult.ResponseTooLarge(stdout.written(), logs.text());
        }
        return new ExecResult.Completed(stdout.toByteArray(), logs.text());
    }
}
