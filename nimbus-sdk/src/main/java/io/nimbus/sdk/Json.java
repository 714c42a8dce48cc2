package io.nimbus.sdk;

/**
 * JSON (RFC 8259) to plain Java values and back, with no dependency.
 *
 * <p>Reading gives: objects as {@code LinkedHashMap<String, Object>} (member order kept;
 * of a repeated name the last wins), arrays as {@code ArrayList<Object>}, strings, numbers
 * without a fraction or exponent as {@code Long} (or {@code BigInteger} past its range),
 * other numbers as {@code Double} (or {@code BigDecimal} when a double would overflow to
 * infinity), {@code Boolean} and {@code null}. Nesting deeper than {@value #MAX_DEPTH}
 * levels is refused, so a hostile event cannot exhaust the stack.
 *
 * <p>Writing takes those, any {@code Map} with string keys, {@code Iterable}, array,
 * {@code Number} (not NaN or infinite), {@code CharSequence}, {@code Character},
 * {@code Boolean}, enum (its name), {@code Optional} (its value or null) and record (its
 * components as an object). Output is compact and UTF-8 friendly: only the characters JSON
 * requires are escaped, plus lone surrogates, which have no UTF-8 form.
 */
public final class Json {
    /** The deepest nesting of arrays and objects read or written. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** The value of a JSON text; anything but one value and whitespace is a {@link JsonException}. */
    public static Object parse(String text) {
        return new JsonReader(text).readDocument();
    }

    /** The compact JSON text of a value. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        new JsonWriter(out).write(value, 0);
        return out.toString();
    }
}
