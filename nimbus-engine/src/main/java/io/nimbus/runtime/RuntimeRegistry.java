package io.nimbus.runtime;

import io.nimbus.domain.DomainException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The runtimes of this machine, probed once at start-up. Probing runs each interpreter and
 * asks it for its real executable: {@code python3} on PATH may be a slow pyenv shim, and
 * workers must start the interpreter itself.
 */
public final class RuntimeRegistry {
    private static final String PYTHON_PROBE =
            "import sys, platform; print(sys.executable); print(platform.python_version())";
    private static final String NODE_PROBE = "console.log(process.execPath); console.log(process.versions.node)";

    private final List<Runtime> runtimes;

    public RuntimeRegistry(List<Runtime> runtimes) {
        this.runtimes = List.copyOf(runtimes);
    }

    /**
     * Finds python3 and node. {@code commands} may name the command to probe per runtime id
     * (from configuration); otherwise {@code python3} and {@code node} are looked up on PATH.
     */
    public static RuntimeRegistry detect(Map<String, String> commands) {
        CompletableFuture<Runtime> python = CompletableFuture.supplyAsync(() -> probe(
                "python3.11", Set.of("python", "python3"), "Python",
                commands.getOrDefault("python3.11", "python3"), PYTHON_PROBE, "-c",
                "io/nimbus/runtime/python/bootstrap.py", List.of(".py"), "python3"));
        CompletableFuture<Runtime> node = CompletableFuture.supplyAsync(() -> probe(
                "nodejs20", Set.of("node", "nodejs"), "Node.js",
                commands.getOrDefault("nodejs20", "node"), NODE_PROBE, "-e",
                "io/nimbus/runtime/node/bootstrap.js", List.of(".js", ".cjs", ".mjs"), "nodejs"));
        return new RuntimeRegistry(List.of(python.join(), node.join()));
    }

    public List<Runtime> all() {
        return runtimes;
    }

    public Optional<Runtime> find(String name) {
        return runtimes.stream().filter(r -> r.answersTo(name)).findFirst();
    }

    /**
     * The runtime a function asks for, refusing unknown and unavailable ones with a message
     * that says how to fix it.
     */
    public Runtime require(String name) {
        Runtime runtime = find(name).orElseThrow(() -> DomainException.invalid("runtime",
                "unknown runtime '" + name + "'; known: " + String.join(", ", runtimes.stream().map(Runtime::id).toList())));
        if (!runtime.available()) {
            throw new DomainException(DomainException.Kind.INVALID, "RuntimeUnavailable",
                    "runtime " + runtime.id() + " is not available on this server: install it with 'apt-get install -y "
                            + runtime.missingPackage() + "'", "runtime");
        }
        return runtime;
    }

    private static Runtime probe(String id, Set<String> aliases, String language, String command, String script,
                                 String flag, String bootstrap, List<String> extensions, String missingPackage) {
        List<String> lines = run(List.of(command, flag, script));
        if (lines.size() < 2) {
            return new Runtime(id, aliases, language, null, null, bootstrap, extensions, missingPackage);
        }
        return new Runtime(id, aliases, language, Path.of(lines.get(0)), lines.get(1), bootstrap, extensions, missingPackage);
    }

    private static List<String> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return List.of();
            }
            return new ArrayList<>(output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
