package io.nimbus.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A function's sources compiled the way the build runs the compiler: a JVM of its own, javax.tools inside. */
class JavaCompilationTest {

    @TempDir
    Path temp;

    @Test
    void sourcesInPackagesCompileIntoTheClassesDirectory() throws Exception {
        CompileOutcome outcome = TestImage.compile(temp, Map.of(
                "com/example/Hello.java", """
                        package com.example;

                        public class Hello implements io.nimbus.sdk.Handler {
                            public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                                return Greeting.of(event);
                            }
                        }
                        """,
                "com/example/Greeting.java", """
                        package com.example;

                        record Greeting(String message) {
                            static Greeting of(Object name) {
                                return new Greeting("Hello, " + name);
                            }
                        }
                        """));

        assertThat(outcome).isInstanceOf(CompileOutcome.Compiled.class);
        assertThat(temp.resolve("classes/com/example/Hello.class")).isRegularFile();
        assertThat(temp.resolve("classes/com/example/Greeting.class")).isRegularFile();
    }

    @Test
    void aCompileErrorIsReportedWithItsFileAndLine() throws Exception {
        CompileOutcome outcome = TestImage.compile(temp, Map.of("com/example/Broken.java", """
                package com.example;

                public class Broken implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return undefinedVariable
                    }
                }
                """));

        assertThat(outcome).isInstanceOf(CompileOutcome.Failed.class);
        CompileOutcome.Failed failed = (CompileOutcome.Failed) outcome;
        assertThat(failed.diagnostics()).isNotEmpty().allSatisfy(diagnostic -> assertThat(diagnostic.isError()).isTrue());
        CompileDiagnostic first = failed.diagnostics().getFirst();
        assertThat(first.toString()).isEqualTo("com/example/Broken.java:5: ';' expected");
        assertThat(first.column()).isPositive();
        assertThat(failed.message()).startsWith("1 compile error, the first: com/example/Broken.java:5: ';' expected");
    }

    @Test
    void aTypeErrorNamesTheSymbol() throws Exception {
        CompileOutcome outcome = TestImage.compile(temp, Map.of("Typo.java", """
                public class Typo implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return context.getRequestIdd();
                    }
                }
                """));

        assertThat(((CompileOutcome.Failed) outcome).diagnostics().getFirst().toString())
                .startsWith("Typo.java:3: cannot find symbol");
    }

    @Test
    void annotationProcessorsOnTheClassPathDoNotRun() throws Exception {
        Path processorRoot = temp.resolve("processor");
        assertThat(TestImage.compile(processorRoot, Map.of("Evil.java", """
                import java.util.Set;
                import javax.annotation.processing.*;
                import javax.lang.model.element.TypeElement;

                @SupportedAnnotationTypes("*")
                public class Evil extends AbstractProcessor {
                    @Override
                    public synchronized void init(ProcessingEnvironment environment) {
                        try {
                            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "nimbus-evil-ran"), "ran");
                        } catch (java.io.IOException ignored) {
                        }
                    }

                    @Override
                    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
                        return false;
                    }
                }
                """))).isInstanceOf(CompileOutcome.Compiled.class);
        Path services = Files.createDirectories(processorRoot.resolve("classes/META-INF/services"));
        Files.writeString(services.resolve("javax.annotation.processing.Processor"), "Evil\n");
        Path marker = Path.of(System.getProperty("java.io.tmpdir"), "nimbus-evil-ran");
        Files.deleteIfExists(marker);
        Path sources = Files.createDirectories(temp.resolve("function/src"));
        Files.writeString(sources.resolve("Plain.java"), "public class Plain {}\n");
        Path jar = TestImage.image().workerJar();

        CompileOutcome outcome = TestImage.run(JavaCompilation.command(TestImage.image().java(), jar,
                List.of(jar, processorRoot.resolve("classes")), sources, temp.resolve("function/classes"), 256));

        assertThat(outcome).isInstanceOf(CompileOutcome.Compiled.class);
        assertThat(marker).doesNotExist();
    }

    @Test
    void nothingToCompileIsAFailureThatSaysSo() throws Exception {
        Path jar = TestImage.image().workerJar();
        Path empty = Files.createDirectories(temp.resolve("src"));

        CompileOutcome outcome = TestImage.run(JavaCompilation.command(TestImage.image().java(), jar, List.of(jar), empty,
                temp.resolve("classes"), 256));

        assertThat(outcome).isInstanceOf(CompileOutcome.Failed.class);
        assertThat(((CompileOutcome.Failed) outcome).message()).contains("exit status 2", "no .java files");
    }
}
