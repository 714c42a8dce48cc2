package io.nimbus.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compiled runtimes of this machine, probed once at start-up. Only the Debian toolchains
 * under /usr count: a build sandbox binds /usr and nothing else of the host, so a compiler
 * in a home directory (rustup's, say) could not run there, and production machines have the
 * Debian packages. For each runtime that cannot build, the packages that would fix it.
 */
public final class Toolchains {
    public static final String GO = "go";
    public static final String RUST_WASM = "rust-wasm";
    public static final String C_WASM = "c-wasm";
    public static final String JAVA = "java25";
    /** The JDK that runs Nimbus compiles and runs Java functions. */
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    static final Path GO_COMMAND = Path.of("/usr/bin/go");
    static final Path RUSTC = Path.of("/usr/bin/rustc");
    static final Path CLANG = Path.of("/usr/bin/clang");
    private static final Path RUST_LLD = Path.of("/usr/bin/rust-lld");
    private static final Path WASI_LIBC = Path.of("/usr/lib/wasm32-wasi/libc.a");
    private static final Pattern GO_VERSION = Pattern.compile("go version go(\\d+\\.\\d+(?:\\.\\d+)?)");
    private static final Pattern RUSTC_VERSION = Pattern.compile("rustc (\\d+\\.\\d+\\.\\d+)");
    private static final Pattern CLANG_VERSION = Pattern.compile("clang version ((\\d+)\\.\\d+\\.\\d+)");

    private final List<Toolchain> toolchains;

    public Toolchains(List<Toolchain> toolchains) {
        this.toolchains = List.copyOf(toolchains);
    }

    public static Toolchains detect() {
        CompletableFuture<Toolchain> go = CompletableFuture.supplyAsync(Toolchains::probeGo);
        CompletableFuture<Toolchain> rust = CompletableFuture.supplyAsync(Toolchains::probeRust);
        CompletableFuture<Toolchain> c = CompletableFuture.supplyAsync(Toolchains::probeClang);
        return new Toolchains(List.of(go.join(), rust.join(), c.join(), probeJava()));
    }

    public List<Toolchain> all() {
        return toolchains;
    }

    public Optional<Toolchain> find(String name) {
        return toolchains.stream().filter(t -> t.answersTo(name)).findFirst();
    }

    private static Toolchain probeGo() {
        String version = firstMatch(run(GO_COMMAND.toString(), "version"), GO_VERSION, 1);
        return new Toolchain(GO, Set.of("golang"), "Go", version, version == null ? List.of("golang-go") : List.of());
    }

    /** rustc, its wasm32 standard library, and the linker it calls for wasm32 (rust-lld, a link to Debian's lld). */
    private static Toolchain probeRust() {
        String version = firstMatch(run(RUSTC.toString(), "--version"), RUSTC_VERSION, 1);
        if (version == null) {
            return new Toolchain(RUST_WASM, Set.of("rust"), "Rust", null, List.of("rustc", "libstd-rust-dev-wasm32", "lld"));
        }
        List<String> missing = new ArrayList<>();
        String libdir = run(RUSTC.toString(), "--print", "target-libdir", "--target", "wasm32-unknown-unknown").strip();
        if (libdir.isEmpty() || !hasFileStartingWith(Path.of(libdir), "libstd-")) {
            missing.add("libstd-rust-dev-wasm32");
        }
        if (!Files.exists(RUST_LLD)) {
            missing.add(lldPackageBehind(RUST_LLD));
        }
        return new Toolchain(RUST_WASM, Set.of("rust"), "Rust", version, missing);
    }

    /** clang, wasm-ld, the WASI C library and compiler-rt's wasm32 builtins, each its own package. */
    private static Toolchain probeClang() {
        Matcher match = CLANG_VERSION.matcher(run(CLANG.toString(), "--version"));
        if (!match.find()) {
            return new Toolchain(C_WASM, Set.of("c"), "C (clang)", null,
                    List.of("clang", "lld", "wasi-libc", "libclang-rt-14-dev-wasm32"));
        }
        String major = match.group(2);
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of("/usr/lib/llvm-" + major + "/bin/wasm-ld")) && !Files.isExecutable(Path.of("/usr/bin/wasm-ld"))) {
            missing.add("lld-" + major);
        }
        if (!Files.isRegularFile(WASI_LIBC)) {
            missing.add("wasi-libc");
        }
        String builtins = run(CLANG.toString(), "--target=wasm32-wasi", "-print-libgcc-file-name").strip();
        if (builtins.isEmpty() || !Files.isRegularFile(Path.of(builtins))) {
            missing.add("libclang-rt-" + major + "-dev-wasm32");
        }
        return new Toolchain(C_WASM, Set.of("c"), "C (clang)", match.group(1), missing);
    }

    /**
     * The JDK running Nimbus, when it can compile (it has jdk.compiler, as a JDK has and a JRE
     * has not) and lives under /usr, where the build and worker sandboxes see it.
     */
    private static Toolchain probeJava() {
        boolean compiler = javax.tools.ToolProvider.getSystemJavaCompiler() != null;
        boolean visible = JAVA_HOME.startsWith("/usr");
        String version = Integer.toString(Runtime.version().feature());
        List<String> missing = compiler && visible && version.equals("25") ? List.of() : List.of("temurin-25-jdk");
        return new Toolchain(JAVA, Set.of("java"), "Java", compiler ? Runtime.version().toString() : null, missing);
    }

    /** rust-lld is a link to lld-NN when rustc is installed; the package is named after its target. */
    private static String lldPackageBehind(Path link) {
        try {
            String target = Files.readSymbolicLink(link).getFileName().toString();
            return target.matches("lld-\\d+") ? target : "lld";
        } catch (IOException | UnsupportedOperationException e) {
            return "lld";
        }
    }

    private static boolean hasFileStartingWith(Path dir, String prefix) {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    private static String firstMatch(String text, Pattern pattern, int group) {
        Matcher match = pattern.matcher(text);
        return match.find() ? match.group(group) : null;
    }

    /** The command's standard output, or "" when it cannot run or fails. */
    private static String run(String... command) {
        if (!Files.isExecutable(Path.of(command[0]))) {
            return "";
        }
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return "";
            }
            return output;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
