package io.nimbus.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameType;
import io.nimbus.sandbox.NamespaceSandbox;
import io.nimbus.sandbox.ProcessSandbox;
import io.nimbus.sandbox.SandboxBackend;
import io.nimbus.sandbox.SandboxLimits;
import io.nimbus.sandbox.WorkerLaunch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbers behind docs/decisions/0013-java-runtime.md: how long a java25 worker takes from
 * process start to ready (its Ping answered), to Init, and to its first Exec, with no class
 * sharing, the JDK's default CDS, an AppCDS archive of the worker and the AOT cache; with C1
 * only and with both compilers; then warm Exec latency. A measurement, not a test: it runs
 * only when asked, and asserts nothing about time.
 *
 * <pre>./mvnw -q -pl nimbus-engine -am test -Dtest=JavaWorkerStartMeasurement -Dnimbus.measure=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIfSystemProperty(named = "nimbus.measure", matches = "true")
class JavaWorkerStartMeasurement {
    private static final Logger LOG = LoggerFactory.getLogger(JavaWorkerStartMeasurement.class);
    private static final int STARTS = 30;
    private static final int WARMUP = 5_000;
    private static final int MEASURED = 20_000;
    private static final String HELLO = """
            public class Hello implements io.nimbus.sdk.Handler {
                public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                    return java.util.Map.of("hello", ((java.util.Map<?, ?>) event).get("name"));
                }
            }
            """;
    private static final String SORT = """
            public class Sort implements io.nimbus.sdk.Handler {
                public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                    int[] values = new java.util.Random(42).ints(20_000).toArray();
                    java.util.Arrays.sort(values);
                    return values[values.length / 2];
                }
            }
            """;

    @TempDir
    Path temp;

    private record Mode(String name, SandboxBackend backend, List<String> flags, int memoryMb) {
    }

    private record Start(double readyMs, double initMs, double firstExecMs) {
    }

    @Test
    void startAndWarmLatencies() throws Exception {
        JavaWorkerImage image = TestImage.image();
        Path runtime = Files.createDirectories(temp.resolve("runtime"));
        Path jar = Files.copy(image.workerJar(), runtime.resolve(JavaWorkerImage.WORKER_JAR), StandardCopyOption.COPY_ATTRIBUTES);
        Path parent = image.workerJar().getParent();
        Files.copy(parent.resolve(JavaWorkerImage.AOT_CACHE), runtime.resolve(JavaWorkerImage.AOT_CACHE), StandardCopyOption.COPY_ATTRIBUTES);
        Path archive = runtime.resolve("nimbus-worker.jsa");
        List<String> training = new ArrayList<>(JvmOptions.forWorker(256, 0.5));
        training.add("-XX:ArchiveClassesAtExit=" + archive);
        TrainingRun.run(image.java(), training, jar, archive, Files.createDirectories(temp.resolve("training")));
        Path code = TestImage.compiled(temp.resolve("code"), Map.of("Hello.java", HELLO, "Sort.java", SORT));
        String aot = "-XX:AOTCache=" + WorkerLaunch.RUNTIME_DIR_VARIABLE + "/" + JavaWorkerImage.AOT_CACHE;
        String cds = "-XX:SharedArchiveFile=" + WorkerLaunch.RUNTIME_DIR_VARIABLE + "/" + archive.getFileName();
        SandboxBackend process = new ProcessSandbox();
        List<Mode> modes = new ArrayList<>();
        for (int memoryMb : List.of(128, 256)) { // C1 only below 256 MB, both compilers from there (JvmOptions)
            String size = memoryMb + " MB (" + (memoryMb < JvmOptions.C2_MIN_MEMORY_MB ? "C1" : "C1+C2") + ")";
            modes.add(new Mode("no CDS, " + size, process, List.of("-Xshare:off"), memoryMb));
            modes.add(new Mode("JDK CDS, " + size, process, List.of(), memoryMb));
            modes.add(new Mode("AppCDS, " + size, process, List.of(cds), memoryMb));
            modes.add(new Mode("AOT cache, " + size, process, List.of(aot), memoryMb));
        }
        NamespaceSandbox namespace = NamespaceSandbox.create(temp.resolve("data"));
        modes.add(new Mode("namespace, JDK CDS, 256 MB", namespace, List.of(), 256));
        modes.add(new Mode("namespace, AOT cache, 256 MB", namespace, List.of(aot), 256));

        Map<Mode, List<Start>> starts = new LinkedHashMap<>();
        modes.forEach(mode -> starts.put(mode, new ArrayList<>()));
        for (int round = 0; round < STARTS; round++) {
            for (Mode mode : modes) { // interleaved, so that a busy moment of the machine hits every mode alike
                starts.get(mode).add(startOnce(mode, jar, code));
            }
        }
        starts.forEach((mode, samples) -> LOG.info("JAVA start {}: ready {} ms, Init {} ms, first Exec {} ms, ready to first result {} ms (median of {})",
                mode.name(), median(samples, Start::readyMs), median(samples, Start::initMs), median(samples, Start::firstExecMs),
                median(samples, s -> s.readyMs() + s.initMs() + s.firstExecMs()), samples.size()));

        for (Mode mode : List.of(modes.get(3), modes.get(7))) {
            for (String handler : List.of("Hello", "Sort")) {
                LOG.info("JAVA warm Exec {} {}: mean {} µs over {} sequential requests", mode.name(), handler,
                        String.format("%.1f", warmMicros(mode, jar, code, handler)), MEASURED);
            }
        }
    }

    private Start startOnce(Mode mode, Path jar, Path code) throws Exception {
        long began = System.nanoTime();
        try (WorkerSession worker = launch(mode, jar, code)) {
            assertThat(worker.ping().type()).isEqualTo(FrameType.PING);
            long ready = System.nanoTime();
            assertThat(worker.init("Hello", Map.of()).ok()).isTrue();
            long initialized = System.nanoTime();
            assertThat(worker.exec("{\"name\":\"world\"}").payload()).isEqualTo("{\"hello\":\"world\"}");
            long executed = System.nanoTime();
            return new Start((ready - began) / 1e6, (initialized - ready) / 1e6, (executed - initialized) / 1e6);
        }
    }

    private double warmMicros(Mode mode, Path jar, Path code, String handler) throws Exception {
        try (WorkerSession worker = launch(mode, jar, code)) {
            assertThat(worker.init(handler, Map.of()).ok()).isTrue();
            Frame exec = new Frame(FrameType.EXEC, worker.execHeader(), "{\"name\":\"world\"}".getBytes(StandardCharsets.UTF_8));
            long started = 0;
            for (int i = 0; i < WARMUP + MEASURED; i++) {
                if (i == WARMUP) {
                    started = System.nanoTime();
                }
                worker.send(exec);
                assertThat(worker.receive().type()).isEqualTo(FrameType.RESP);
            }
            return (System.nanoTime() - started) / 1_000.0 / MEASURED;
        }
    }

    private WorkerSession launch(Mode mode, Path jar, Path code) throws Exception {
        double cpus = SandboxLimits.cpusForMemory(mode.memoryMb());
        List<String> options = new ArrayList<>(JvmOptions.forWorker(mode.memoryMb(), cpus));
        options.addAll(mode.flags());
        options.add("-jar");
        String id = UUID.randomUUID().toString();
        Path strayOutput = Files.createFile(Files.createDirectories(temp.resolve("instances")).resolve(id + ".out"));
        SandboxLimits limits = new SandboxLimits(mode.memoryMb(), cpus, 64, 16, SandboxLimits.Network.NONE);
        return new WorkerSession(id, mode.backend().start(new WorkerLaunch(id, TestImage.image().java(), options, jar, code,
                TestImage.BASE_ENVIRONMENT, limits, strayOutput)), strayOutput);
    }

    private static String median(List<Start> samples, java.util.function.ToDoubleFunction<Start> value) {
        double[] sorted = samples.stream().mapToDouble(value).sorted().toArray();
        return String.format("%.1f", sorted[sorted.length / 2]);
    }
}
