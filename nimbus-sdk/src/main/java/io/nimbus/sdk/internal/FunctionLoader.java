package io.nimbus.sdk.internal;

import io.nimbus.sdk.Handler;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a function's handler class in its code directory and makes the one instance. The
 * {@code handler} of a Java function is the class's binary name: {@code com.example.Hello},
 * or {@code Hello} in the unnamed package. The class path is {@code classes/} (what the
 * build compiled) and every jar in {@code lib/}, in a class loader of its own whose parent
 * holds the SDK.
 */
final class FunctionLoader {
    static final String CLASSES_DIR = "classes";
    static final String LIB_DIR = "lib";
    private static final String IDENTIFIER = "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*";
    private static final Pattern CLASS_NAME = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");

    private FunctionLoader() {
    }

    /**
     * The handler instance. The worker's own failures are {@link WorkerError}s; whatever the
     * function's code throws while its class initialises or its constructor runs escapes as
     * itself, to be reported under its own name.
     */
    static Handler load(String className, Path codeDir) throws Throwable {
        if (!CLASS_NAME.matcher(className).matches()) {
            throw new WorkerError("InvalidHandler", "handler '" + className
                    + "' is not a class name such as com.example.Hello");
        }
        ClassLoader loader = new URLClassLoader("function", classPath(codeDir), Worker.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Class<?> type = findClass(className, loader);
        if (!Handler.class.isAssignableFrom(type)) {
            throw new WorkerError("HandlerNotFound", className + " does not implement " + Handler.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new WorkerError("HandlerNotFound", className + " is abstract; the handler must be a concrete class");
        }
        return (Handler) instantiate(type);
    }

    private static Class<?> findClass(String className, ClassLoader loader) throws Throwable {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new WorkerError("HandlerNotFound", "class " + className + " is not in the function's "
                    + CLASSES_DIR + "/ or " + LIB_DIR + "/*.jar");
        } catch (ExceptionInInitializerError e) {
            throw e.getCause() == null ? e : e.getCause(); // the static initialiser's own failure
        }
    }

    /** Through the no-argument constructor, whatever its visibility: a quick handler is often package-private. */
    private static Object instantiate(Class<?> type) throws Throwable {
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new WorkerError("HandlerNotFound", type.getName() + " has no constructor without parameters");
        }
        try {
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static URL[] classPath(Path codeDir) throws IOException {
        List<URL> urls = new ArrayList<>();
        Path classes = codeDir.resolve(CLASSES_DIR);
        if (Files.isDirectory(classes)) {
            urls.add(url(classes));
        }
        Path lib = codeDir.resolve(LIB_DIR);
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path jar : jars.filter(path -> path.toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(url(jar));
                }
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path path) throws MalformedURLException {
        return path.toUri().toURL();
    }
}
