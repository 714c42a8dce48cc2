package io.nimbus.build;

import io.nimbus.runtime.java.CompileDiagnostic;
import io.nimbus.runtime.java.CompileOutcome;
import io.nimbus.runtime.java.JavaCompilation;
import io.nimbus.runtime.java.JavaWorkerImage;
import io.nimbus.runtime.java.WorkerJar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Java through javax.tools, in the JVM that runs Nimbus (under /usr, so the build sandbox
 * sees it): every {@code .java} file compiled against the SDK (the worker jar, added to the
 * input) and the function's own {@code lib/*.jar}, then packed into {@code lib/function.jar},
 * which the worker's class loader reads from the code directory. The compiler's JSON
 * diagnostics are turned into {@code file:line: message} lines for the build log.
 */
final class JavaRecipe implements Recipe {
    private static final String SDK_JAR = ".nimbus/" + JavaWorkerImage.WORKER_JAR;
    private static final String PRODUCT = "/tmp/function.jar";
    static final String ENTRY = "lib/function.jar";

    private final Path java;
    private final Path jar;

    JavaRecipe(Path javaHome) {
        this.java = javaHome.resolve("bin/java");
        this.jar = javaHome.resolve("bin/jar");
    }

    @Override
    public String artifactKey(BuildRequest request) {
        return request.codeHash();
    }

    @Override
    public BuildPlan plan(BuildRequest request, Path input) throws IOException, InvalidSource {
        if (SourceFiles.endingWith(input, ".java", true).isEmpty()) {
            throw new InvalidSource("no .java file among the function's files");
        }
        Path sdk = Files.createDirectories(input.resolve(".nimbus")).resolve(JavaWorkerImage.WORKER_JAR);
        Files.write(sdk, WorkerJar.from(JavaWorkerImage.sdkOnClassPath()));
        List<Path> classPath = new ArrayList<>();
        classPath.add(Path.of("/src", SDK_JAR));
        classPath.addAll(libraries(input));
        List<String> compile = JavaCompilation.command(java, Path.of("/src", SDK_JAR), classPath,
                Path.of("/src"), Path.of("/tmp/classes"), 512);
        String script = compile.stream().map(JavaRecipe::quoted).collect(Collectors.joining(" "))
                + " && cd /tmp/classes && " + quoted(jar.toString()) + " cf " + PRODUCT + " .";
        return new BuildPlan(List.of("/bin/sh", "-c", script), Map.of(), PRODUCT, Artifact.Mode.JAVA, ENTRY);
    }

    @Override
    public String check(BuildPlan plan, Path product) throws IOException {
        return Files.size(product) > 0 ? null : "the compiler produced no classes";
    }

    /** The compiler's JSON lines as {@code file:line: message}, errors first, paths relative to the function. */
    @Override
    public String readableLog(String log) {
        String json = log.lines().filter(line -> line.startsWith("{")).collect(Collectors.joining("\n"));
        String rest = log.lines().filter(line -> !line.startsWith("{")).collect(Collectors.joining("\n"));
        CompileOutcome outcome = JavaCompilation.outcome(json.isEmpty() ? 0 : 1, json, "");
        List<CompileDiagnostic> diagnostics = switch (outcome) {
            case CompileOutcome.Compiled compiled -> compiled.warnings();
            case CompileOutcome.Failed failed -> failed.diagnostics();
        };
        String readable = diagnostics.stream().map(CompileDiagnostic::toString)
                .map(line -> line.startsWith("/src/") ? line.substring("/src/".length()) : line)
                .collect(Collectors.joining("\n"));
        return (readable + "\n" + rest).strip();
    }

    private static List<Path> libraries(Path input) throws IOException {
        Path lib = input.resolve("lib");
        if (!Files.isDirectory(lib)) {
            return List.of();
        }
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.filter(file -> file.toString().endsWith(".jar")).sorted()
                    .map(file -> Path.of("/src/lib").resolve(file.getFileName())).toList();
        }
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
