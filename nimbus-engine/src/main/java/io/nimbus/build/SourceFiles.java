package io.nimbus.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Looks at a function's source files before they are compiled: which there are, and what they declare. */
final class SourceFiles {
    private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern LINE_COMMENT = Pattern.compile("//[^\\n]*");

    private SourceFiles() {
    }

    /** Copies the regular files of {@code from} (symbolic links are not followed, nor copied) into {@code to}. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(path, target);
                }
            }
        }
    }

    /** Paths relative to {@code dir}, with {@code /} separators and sorted, of the files ending in {@code suffix}. */
    static List<String> endingWith(Path dir, String suffix, boolean recursive) throws IOException {
        try (Stream<Path> paths = recursive ? Files.walk(dir) : Files.list(dir)) {
            return paths.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Whether one of the files declares what {@code declaration} matches, outside comments.
     * A reading of the text, not a parse: a declaration spelled inside a string literal would
     * count too, which no real program does.
     */
    static boolean anyDeclares(Path dir, List<String> files, Pattern declaration) throws IOException {
        for (String file : files) {
            // Latin-1 reads any bytes; the patterns are ASCII, so the encoding of the rest does not matter.
            String text = new String(Files.readAllBytes(dir.resolve(file)), StandardCharsets.ISO_8859_1);
            if (declaration.matcher(withoutComments(text)).find()) {
                return true;
            }
        }
        return false;
    }

    static String withoutComments(String source) {
        return LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(source).replaceAll(" ")).replaceAll("");
    }
}
