package io.nimbus.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One runtime as found on this machine.
 *
 * @param id               canonical id used in the API, for example {@code python3.11}
 * @param aliases          other names a client may use ({@code python})
 * @param language         what the version belongs to ({@code Python})
 * @param interpreter      absolute path of the interpreter, or null when unavailable
 * @param version          the interpreter's own version, or null when unavailable
 * @param bootstrap        the classpath resource of the worker bootstrap
 * @param sourceExtensions extensions a handler module may have, the first one for inline source
 * @param missingPackage   the Debian package that provides the interpreter, for the unavailable message
 */
public record Runtime(
        String id,
        Set<String> aliases,
        String language,
        Path interpreter,
        String version,
        String bootstrap,
        List<String> sourceExtensions,
        String missingPackage) {

    public boolean available() {
        return interpreter != null;
    }

    public String inlineSourceExtension() {
        return sourceExtensions.getFirst();
    }

    /**
     * Whether its worker answers Fork, so that instances can be forked from a template. Python's
     * does; Node's cannot fork safely (V8 and libuv run threads that a fork would not copy).
     */
    public boolean forks() {
        return language.equals("Python");
    }

    public boolean answersTo(String name) {
        return id.equals(name) || aliases.contains(name);
    }

    /**
     * Whether a function's files hold the handler's module: {@code a.b} is {@code a/b.py} or
     * {@code a/b/__init__.py} for Python, {@code a/b.js} (.cjs, .mjs) or {@code a/b/index.js} for Node.
     */
    public boolean hasModule(Set<String> paths, String module) {
        String relative = module.replace('.', '/');
        for (String extension : sourceExtensions) {
            if (paths.contains(relative + extension) || paths.contains(relative + "/" + packageEntry() + extension)) {
                return true;
            }
        }
        return false;
    }

    private String packageEntry() {
        return language.equals("Python") ? "__init__" : "index";
    }
}
