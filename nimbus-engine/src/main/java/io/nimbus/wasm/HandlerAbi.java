package io.nimbus.wasm;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import io.nimbus.domain.Limits;
import io.nimbus.pool.ExecResult;

/**
 * One call through the {@link WasmAbi#HANDLER} ABI: {@code _initialize} when the module is a
 * WASI reactor, then alloc, write the event, handle, read the output.
 */
final class HandlerAbi {

    private HandlerAbi() {
    }

    static ExecResult call(Instance instance, boolean initialize, byte[] event, GuestLogs logs) {
        if (initialize) {
            instance.export("_initialize").apply();
        }
        int input = (int) instance.export("alloc").apply(event.length)[0];
        instance.memory().write(input, event);
        long packed = instance.export("handle").apply(input, event.length)[0];
        long pointer = packed >>> 32;
        long length = packed & 0xFFFF_FFFFL;
        if (length > Limits.MAX_PAYLOAD_BYTES) {
            return new ExecResult.ResponseTooLarge(length, logs.text());
        }
        long memoryBytes = (long) instance.memory().pages() * Memory.PAGE_SIZE;
        if (pointer + length > memoryBytes) {
            return new ExecResult.HandlerFailed("InvalidOutput", "handle returned " + length + " bytes at " + pointer
                    + ", outside the module's memory of " + memoryBytes + " bytes", null, logs.text());
        }
        byte[] output = instance.memory().readBytes((int) pointer, (int) length);
        return new ExecResult.Completed(output, logs.text());
    }
}
