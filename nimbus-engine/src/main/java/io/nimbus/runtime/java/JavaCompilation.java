package io.nimbus.runtime.java;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Compiling a Java function: the command that runs javax.tools in a JVM of its own (the
 * SDK's {@code SourceCompiler}), and the reading of what it printed. The sources are
 * untrusted, so the command is meant to run in the build sandbox, without network; this
 * class only builds it, with paths as the compiler process will see them. The compiler
 * runs with {@code -proc:none}: no annotation processor, that is no code from the class
 * path, runs at compile time.
 */
public final class JavaCompilation {
    static final String COMPILER_MAIN = "io.nimbus.sdk.internal.SourceCompiler";
    private static final ObjectMapper JSON = new ObjectMapper();

    private JavaCompilation() {
    }

    /**
     * The command that compiles every {@code .java} file under {@code sourceDir} into
     * {@code classesDir}, against {@code classPath} (the SDK jar first, then the
     * function's libraries), in a JVM of at most {@code memoryMb}.
     */
    public static List<String> command(Path java, Path sdkJar, List<Path> classPath, Path sourceDir, Path classesDir,
                                       int memoryMb) {
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx" + JvmOptions.heapMb(memoryMb) + "m",
                "-XX:ActiveProcessorCount=1", "-XX:-UsePerfData", "-XX:+DisableAttachMechanism",
                "-cp", sdkJar.toString(), COMPILER_MAIN, sourceDir.toString(), classesDir.toString()));
        command.add(classPath.stream().map(Path::toString).collect(Collectors.joining(":")));
        return command;
    }

    /** What the compile command's exit status and output mean. */
    public static CompileOutcome outcome(int exitStatus, String stdout, String stderr) {
        List<CompileDiagnostic> diagnostics;
        try {
            diagnostics = parse(stdout);
        } catch (IOException e) {
            return new CompileOutcome.Failed("the compiler's output is unreadable: " + e.getMessage(), List.of());
        }
        return switch (exitStatus) {
            case 0 -> new CompileOutcome.Compiled(diagnostics);
            case 1 -> {
                List<CompileDiagnostic> errorsFirst = diagnostics.stream()
                        .sorted(Comparator.comparing(diagnostic -> !diagnostic.isError())).toList();
                long errors = diagnostics.stream().filter(CompileDiagnostic::isError).count();
                yield new CompileOutcome.Failed(errors + (errors == 1 ? " compile error" : " compile errors")
                        + errorsFirst.stream().findFirst().map(first -> ", the first: " + first).orElse(""), errorsFirst);
            }
            default -> new CompileOutcome.Failed("the compiler could not run (exit status " + exitStatus + "): "
                    + stderr.strip(), diagnostics);
        };
    }

    private static List<CompileDiagnostic> parse(String stdout) throws IOException {
        List<CompileDiagnostic> diagnostics = new ArrayList<>();
        for (String line : stdout.lines().filter(line -> !line.isBlank()).toList()) {
            JsonNode node = JSON.readTree(line);
            diagnostics.add(new CompileDiagnostic(node.path("kind").asText(), node.path("file").isTextual()
                    ? node.path("file").asText() : null, node.path("line").asLong(), node.path("column").asLong(),
                    node.path("message").asText()));
        }
        return diagnostics;
    }
}
