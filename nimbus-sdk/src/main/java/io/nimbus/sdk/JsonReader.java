package io.nimbus.sdk;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent reader of one JSON text, strict to RFC 8259's grammar: no comments,
 * trailing commas, single quotes, leading zeros, leading {@code +}, NaN or byte-order mark.
 * Errors name the offset of the offending character.
 */
final class JsonReader {
    /** Integers of up to 18 digits always fit a long; longer ones are checked. */
    private static final int LONG_SAFE_DIGITS = 18;

    private final String text;
    private int at;

    JsonReader(String text) {
        this.text = text;
    }

    Object readDocument() {
        skipWhitespace();
        Object value = readValue(0);
        skipWhitespace();
        if (at < text.length()) {
            throw error("unexpected " + describe(text.charAt(at)) + " after the value");
        }
        return value;
    }

    private Object readValue(int depth) {
        if (at >= text.length()) {
            throw error("unexpected end of input, expected a value");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> readObject(depth + 1);
            case '[' -> readArray(depth + 1);
            case '"' -> readString();
            case 't' -> readLiteral("true", Boolean.TRUE);
            case 'f' -> readLiteral("false", Boolean.FALSE);
            case 'n' -> readLiteral("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield readNumber();
                }
                throw error("unexpected " + describe(c) + ", expected a value");
            }
        };
    }

    private Map<String, Object> readObject(int depth) {
        checkDepth(depth);
        at++; // {
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            at++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name in double quotes");
            }
            String name = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            object.put(name, readValue(depth));
            skipWhitespace();
            if (peek() == '}') {
                at++;
                return object;
            }
            expect(',');
        }
    }

    private List<Object> readArray(int depth) {
        checkDepth(depth);
        at++; // [
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            at++;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(readValue(depth));
            skipWhitespace();
            if (peek() == ']') {
                at++;
                return array;
            }
            expect(',');
        }
    }

    private String readString() {
        at++; // opening quote
        int start = at;
        // The common case, a string without escapes, is one substring.
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '"') {
                return text.substring(start, at++);
            }
            if (c == '\\') {
                return readEscapedString(start);
            }
            if (c < 0x20) {
                throw error("unescaped control character " + describe(c) + " in a string");
            }
            at++;
        }
        throw error("unterminated string");
    }

    private String readEscapedString(int start) {
        StringBuilder out = new StringBuilder(text.length() - start).append(text, start, at);
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                at--;
                throw error("unescaped control character " + describe(c) + " in a string");
            }
            out.append(c == '\\' ? readEscape() : c);
        }
        throw error("unterminated string");
    }

    /** One escape after its backslash. A \\u escape may be half of a surrogate pair: UTF-16 joins the halves by itself. */
    private char readEscape() {
        if (at >= text.length()) {
            throw error("unterminated string");
        }
        char c = text.charAt(at++);
        return switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> readHexUnit();
            default -> {
                at--;
                throw error("invalid escape \\" + c);
            }
        };
    }

    private char readHexUnit() {
        if (at + 4 > text.length()) {
            throw error("incomplete \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at), 16);
            if (digit < 0) {
                throw error("invalid hex digit " + describe(text.charAt(at)) + " in a \\u escape");
            }
            value = value * 16 + digit;
            at++;
        }
        return (char) value;
    }

    private Object readNumber() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
            if (isDigit(peek())) {
                throw error("a number must not have a leading zero");
            }
        } else {
            requireDigits("a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            at++;
            requireDigits("a digit after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            at++;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            requireDigits("a digit in the exponent");
        }
        String literal = text.substring(start, at);
        return integral ? integer(literal) : decimal(literal);
    }

    private static Object integer(String literal) {
        int digits = literal.length() - (literal.charAt(0) == '-' ? 1 : 0);
        if (digits <= LONG_SAFE_DIGITS) {
            return Long.parseLong(literal);
        }
        BigInteger big = new BigInteger(literal);
        return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
    }

    private static Object decimal(String literal) {
        double value = Double.parseDouble(literal);
        return Double.isInfinite(value) ? new BigDecimal(literal) : (Object) value;
    }

    private void requireDigits(String what) {
        if (!isDigit(peek())) {
            throw error("expected " + what);
        }
        while (isDigit(peek())) {
            at++;
        }
    }

    private Object readLiteral(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("unexpected " + describe(text.charAt(at)) + ", expected a value");
        }
        at += word.length();
        return value;
    }

    private void skipWhitespace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private void expect(char wanted) {
        if (peek() != wanted) {
            throw error(at >= text.length() ? "unexpected end of input, expected '" + wanted + "'"
                    : "unexpected " + describe(text.charAt(at)) + ", expected '" + wanted + "'");
        }
        at++;
    }

    private void checkDepth(int depth) {
        if (depth > Json.MAX_DEPTH) {
            throw error("nesting deeper than " + Json.MAX_DEPTH + " levels");
        }
    }

    /** The character at the cursor, or 0 at the end (never a valid JSON token start). */
    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private JsonException error(String message) {
        return new JsonException(message + " at offset " + at);
    }
}
