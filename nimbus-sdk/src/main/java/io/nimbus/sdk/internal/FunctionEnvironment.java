package io.nimbus.sdk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * Puts the function's variables into the worker's environment, as the Python and Node
 * runtimes do, although a worker may be started before its function is known (a stem
 * cell), so the variables cannot be given at launch. Java has no API for this, and two
 * copies of the environment need them:
 *
 * <ul>
 *   <li>the JVM's, read once at start-up into {@code java.lang.ProcessEnvironment}, which
 *       {@link System#getenv} reads. The worker adds to the map behind its unmodifiable view
 *       (the worker jar's manifest opens java.lang and java.util for that);</li>
 *   <li>the C library's {@code environ}, which a ProcessBuilder child inherits (unless the
 *       handler touches {@code ProcessBuilder.environment()}) and native code reads. The
 *       worker calls {@code setenv} through the FFM API (the manifest enables native access).</li>
 * </ul>
 *
 * Should a JDK change these internals, the worker fails at start-up, loudly, rather than
 * run functions without their configuration.
 */
final class FunctionEnvironment {
    private final Map<String, String> jvmEnvironment;
    private final MethodHandle setenv;

    private FunctionEnvironment(Map<String, String> jvmEnvironment, MethodHandle setenv) {
        this.jvmEnvironment = jvmEnvironment;
        this.setenv = setenv;
    }

    /**
     * Reaches both copies. Done once as the worker starts, not in Init: linking a native call
     * spins a few dozen classes (tens of milliseconds), which a stem cell thus pays ahead.
     *
     * @throws IllegalStateException when this JDK's internals differ
     */
    @SuppressWarnings("restricted") // native access is enabled by the worker jar's manifest
    static FunctionEnvironment link() {
        Linker linker = Linker.nativeLinker();
        MethodHandle setenv = linker.defaultLookup().find("setenv")
                .map(address -> linker.downcallHandle(address, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT)))
                .orElseThrow(() -> new IllegalStateException("the C library has no setenv"));
        FunctionEnvironment environment = new FunctionEnvironment(jvmEnvironment(), setenv);
        String path = System.getenv("PATH");
        if (path != null) {
            // Setting PATH to itself runs the call once, so that its first real use (in Init)
            // finds its classes spun already.
            try {
                environment.apply(Map.of("PATH", path));
            } catch (WorkerError e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return environment;
    }

    void apply(Map<String, String> variables) throws WorkerError {
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            String name = variable.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || variable.getValue().indexOf('\0') >= 0) {
                throw new WorkerError("InvalidEnvironment", "environment variable '" + name + "' has an invalid name or value");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            for (Map.Entry<String, String> variable : variables.entrySet()) {
                jvmEnvironment.put(variable.getKey(), variable.getValue());
                if ((int) setenv.invokeExact(arena.allocateFrom(variable.getKey()), arena.allocateFrom(variable.getValue()), 1) != 0) {
                    throw new WorkerError("InvalidEnvironment", "setenv refused environment variable '" + variable.getKey() + "'");
                }
            }
        } catch (WorkerError e) {
            throw e;
        } catch (Throwable e) {
            throw new WorkerError("InvalidEnvironment", "the environment cannot take the function's variables: " + e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> jvmEnvironment() {
        try {
            Field view = Class.forName("java.lang.ProcessEnvironment").getDeclaredField("theUnmodifiableEnvironment");
            view.setAccessible(true);
            Object unmodifiable = view.get(null);
            Field backing = Class.forName("java.util.Collections$UnmodifiableMap").getDeclaredField("m");
            backing.setAccessible(true);
            return (Map<String, String>) backing.get(unmodifiable);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this JDK's environment cannot be extended (is java.lang opened to the worker?)", e);
        }
    }
}
