package io.nimbus.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files of one function version: relative path to content. Paths are validated
 * ({@link FunctionValidator}) before a FunctionCode is built, so they never escape the
 * function directory.
 */
public final class FunctionCode {
    private final SortedMap<String, byte[]> files;
    private final String hash;

    public FunctionCode(Map<String, byte[]> files) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        files.forEach((path, content) -> copy.put(path, content.clone()));
        this.files = Collections.unmodifiableSortedMap(copy);
        this.hash = computeHash(this.files);
    }

    /** Path to content, sorted by path. Callers must not modify the arrays. */
    public SortedMap<String, byte[]> files() {
        return files;
    }

    /** Hex SHA-256 over every path and content, in path order: equal code, equal hash. */
    public String hash() {
        return hash;
    }

    private static String computeHash(SortedMap<String, byte[]> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                byte[] path = file.getKey().getBytes(StandardCharsets.UTF_8);
                digest.update(lengthPrefix(path.length));
                digest.update(path);
                digest.update(lengthPrefix(file.getValue().length));
                digest.update(file.getValue());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    private static byte[] lengthPrefix(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }
}
