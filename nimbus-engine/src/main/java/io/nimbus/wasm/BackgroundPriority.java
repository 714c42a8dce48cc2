package io.nimbus.wasm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ThreadFactory;

/**
 * Threads that run at the lowest scheduling priority (nice 19), for work that must never
 * delay an invocation: compiling a module just deployed competed with its first call for
 * the CPUs and made that call several milliseconds slower. On Linux, {@code setpriority}
 * with {@code who} 0 sets the calling thread's nice value alone; elsewhere, or when the call
 * is refused, the thread simply runs at normal priority.
 */
final class BackgroundPriority {
    private static final int PRIO_PROCESS = 0;
    private static final int LOWEST = 19;
    private static final MethodHandle SET_PRIORITY = lookup();

    private BackgroundPriority() {
    }

    /** Platform threads named {@code name} that lower their own priority before running their task. */
    static ThreadFactory threads(String name) {
        ThreadFactory platform = Thread.ofPlatform().name(name).daemon(true).factory();
        return task -> platform.newThread(() -> {
            lowerCurrentThread();
            task.run();
        });
    }

    private static void lowerCurrentThread() {
        if (SET_PRIORITY == null) {
            return;
        }
        try {
            int ignored = (int) SET_PRIORITY.invokeExact(PRIO_PROCESS, 0, LOWEST);
        } catch (Throwable e) {
            // a normal priority is slower for the first call, not wrong
        }
    }

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("setpriority")
                    .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
