package io.nimbus.runtime.java;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The bytes of the worker's jar: the SDK's classes and a manifest that makes it runnable
 * with {@code java -jar}. The manifest opens three java.base packages to the worker and
 * lets it call {@code setenv} (Descriptors, FunctionEnvironment): the main jar's manifest is
 * the one place to say so without command-line flags. Built from the SDK on the server's class
 * path, a jar or (in a build tree) a classes directory, with fixed entry times and order,
 * so that the same SDK gives the same bytes and the AOT cache made for it stays valid.
 */
public final class WorkerJar {
    static final String MAIN_CLASS = "io.nimbus.sdk.internal.Worker";
    static final String OPENS = "java.base/java.io java.base/java.lang java.base/java.util";
    /** 2000-01-01T00:00:00Z: any fixed time; zip stores local time, so the bytes are per time zone. */
    private static final long ENTRY_TIME = 946_684_800_000L;
    private static final String CLASS_ROOT = "io/nimbus/sdk/";

    private WorkerJar() {
    }

    public static byte[] from(Path sdk) throws IOException {
        Map<String, byte[]> classes = Files.isDirectory(sdk) ? fromDirectory(sdk) : fromJar(sdk);
        if (classes.isEmpty()) {
            throw new IOException("no SDK classes under " + sdk);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            jar.putNextEntry(entry(JarFile.MANIFEST_NAME));
            manifest().write(jar);
            jar.closeEntry();
            for (Map.Entry<String, byte[]> file : classes.entrySet()) {
                jar.putNextEntry(entry(file.getKey()));
                jar.write(file.getValue());
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static Manifest manifest() {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, MAIN_CLASS);
        attributes.put(new Attributes.Name("Add-Opens"), OPENS);
        attributes.put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        return manifest;
    }

    private static JarEntry entry(String name) {
        JarEntry entry = new JarEntry(name);
        entry.setTime(ENTRY_TIME);
        return entry;
    }

    private static Map<String, byte[]> fromDirectory(Path root) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = root.relativize(file).toString().replace('\\', '/');
                if (name.startsWith(CLASS_ROOT)) {
                    classes.put(name, Files.readAllBytes(file));
                }
            }
        }
        return classes;
    }

    private static Map<String, byte[]> fromJar(Path jarFile) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile jar = new JarFile(jarFile.toFile())) {
            for (JarEntry entry : jar.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(CLASS_ROOT)).toList()) {
                try (InputStream in = jar.getInputStream(entry)) {
                    classes.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return classes;
    }
}
