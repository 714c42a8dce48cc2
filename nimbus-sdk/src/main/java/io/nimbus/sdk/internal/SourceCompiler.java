package io.nimbus.sdk.internal;

import io.nimbus.sdk.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a function's sources with javax.tools, meant to run in a sandboxed JVM of its
 * own: the sources are untrusted, and a compiler is a large parser. {@code -proc:none} keeps
 * annotation processors (code from the class path) from running at compile time.
 *
 * <pre>
 * java -cp nimbus-sdk.jar io.nimbus.sdk.internal.SourceCompiler SOURCE_DIR CLASSES_DIR CLASS_PATH
 * </pre>
 *
 * Every {@code .java} file under SOURCE_DIR is compiled for Java {@value #RELEASE} against
 * CLASS_PATH into CLASSES_DIR. Each diagnostic is one JSON line on stdout:
 * {@code {"kind":"ERROR","file":"com/example/Hello.java","line":3,"column":9,"message":"..."}},
 * the file relative to SOURCE_DIR (null and 0 when the diagnostic has no place). Exit status
 * 0: compiled (warnings may have been printed); 1: compile errors; 2: could not compile at
 * all (a message on stderr).
 */
public final class SourceCompiler {
    static final String RELEASE = "25";
    private static final int EXIT_COMPILE_ERRORS = 1;
    private static final int EXIT_UNUSABLE = 2;
    /** Enough to fix a file by; a source written to flood the output gets no more. */
    private static final String MAX_DIAGNOSTICS = "100";

    private SourceCompiler() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (args.length != 3) {
            System.err.println("usage: SourceCompiler SOURCE_DIR CLASSES_DIR CLASS_PATH");
            System.exit(EXIT_UNUSABLE);
        }
        Path sourceDir = Path.of(args[0]).toAbsolutePath();
        List<Path> sources = sources(sourceDir);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null || sources.isEmpty()) {
            System.err.println(compiler == null ? "this Java installation has no compiler (a JRE, not a JDK)"
                    : "no .java files under " + sourceDir);
            System.exit(EXIT_UNUSABLE);
        }
        Files.createDirectories(Path.of(args[1]));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean compiled;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ENGLISH, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-proc:none", "--release", RELEASE, "-encoding", "UTF-8",
                    "-d", args[1], "--class-path", args[2], "-Xmaxerrs", MAX_DIAGNOSTICS, "-Xmaxwarns", MAX_DIAGNOSTICS);
            compiled = compiler.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
        }
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
            out.println(Json.write(describe(diagnostic, sourceDir)));
        }
        out.flush();
        System.exit(compiled ? 0 : EXIT_COMPILE_ERRORS);
    }

    private static List<Path> sources(Path sourceDir) throws IOException {
        if (!Files.isDirectory(sourceDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sourceDir)) {
            return new ArrayList<>(files.filter(file -> file.toString().endsWith(".java") && Files.isRegularFile(file))
                    .sorted().toList());
        }
    }

    private static Map<String, Object> describe(Diagnostic<? extends JavaFileObject> diagnostic, Path sourceDir) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", diagnostic.getKind().name());
        line.put("file", diagnostic.getSource() == null ? null
                : sourceDir.relativize(Path.of(diagnostic.getSource().toUri())).toString());
        line.put("line", Math.max(0, diagnostic.getLineNumber()));
        line.put("column", Math.max(0, diagnostic.getColumnNumber()));
        line.put("message", diagnostic.getMessage(Locale.ENGLISH));
        return line;
    }
}
