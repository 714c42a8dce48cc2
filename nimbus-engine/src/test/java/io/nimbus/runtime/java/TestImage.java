package io.nimbus.runtime.java;

import io.nimbus.sandbox.SandboxBackend;
import io.nimbus.sandbox.SandboxLimits;
import io.nimbus.sandbox.WorkerLaunch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The java25 worker image, made once per build tree under target/ (its stamp makes later runs
 * reuse it), and the means to compile handlers and start workers from it as the host does.
 */
final class TestImage {
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    static final Map<String, String> BASE_ENVIRONMENT = Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp");
    private static JavaWorkerImage image;

    private TestImage() {
    }

    static synchronized JavaWorkerImage image() throws IOException, InterruptedException {
        if (image == null) {
            image = JavaWorkerImage.prepare(JAVA_HOME, JavaWorkerImage.sdkOnClassPath(), Path.of("target", "java25-image").toAbsolutePath());
        }
        return image;
    }

    /** Writes {@code sources} (path → text) under {@code root}/src and compiles them into {@code root}/classes. */
    static CompileOutcome compile(Path root, Map<String, String> sources) throws IOException, InterruptedException {
        Path sourceDir = root.resolve("src");
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceDir.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
        }
        Path jar = image().workerJar();
        return run(JavaCompilation.command(image().java(), jar, List.of(jar), sourceDir, root.resolve("classes"), 256));
    }

    /** Runs a compile command as a plain process: the build pipeline runs it in its sandbox instead. */
    static CompileOutcome run(List<String> command) throws IOException, InterruptedException {
        Path stderr = Files.createTempFile("nimbus-compile-", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return JavaCompilation.outcome(process.exitValue(), stdout, Files.readString(stderr));
        } finally {
            Files.delete(stderr);
        }
    }

    /** A code directory holding the compiled handler, as the build leaves it. */
    static Path compiled(Path root, Map<String, String> sources) throws IOException, InterruptedException {
        CompileOutcome outcome = compile(root, sources);
        assertThat(outcome).as("%s", outcome).isInstanceOf(CompileOutcome.Compiled.class);
        return root;
    }

    static WorkerSession start(SandboxBackend backend, Path codeDir, SandboxLimits limits, Path instanceDir)
            throws IOException, InterruptedException {
        String id = UUID.randomUUID().toString();
        Path strayOutput = Files.createFile(Files.createDirectories(instanceDir).resolve(id + ".out"));
        WorkerLaunch launch = new WorkerLaunch(id, image().java(), image().workerOptions(limits.memoryMb(), limits.cpus()),
                image().workerJar(), codeDir, BASE_ENVIRONMENT, limits, strayOutput);
        return new WorkerSession(id, backend.start(launch), strayOutput);
    }
}
