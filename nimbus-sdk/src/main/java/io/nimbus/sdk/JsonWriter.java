package io.nimbus.sdk;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

/** Writes a Java value as compact JSON; see {@link Json} for what it accepts. */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    /*
     * instanceof chains rather than switches over types: a pattern switch is linked through
     * an invokedynamic that spins a class at run time, which the AOT cache does not keep, and
     * that would land on a worker's first request.
     */
    void write(Object value, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence text) {
            writeString(text);
        } else if (value instanceof Boolean bool) {
            out.append(bool.booleanValue());
        } else if (value instanceof Number number) {
            writeNumber(number);
        } else if (value instanceof Map<?, ?> map) {
            writeObject(map, depth + 1);
        } else if (value instanceof Iterable<?> iterable) {
            writeArray(iterable, depth + 1);
        } else if (value instanceof Character c) {
            writeString(String.valueOf(c));
        } else if (value instanceof Optional<?> optional) {
            write(optional.orElse(null), depth);
        } else if (value instanceof Enum<?> constant) {
            writeString(constant.name());
        } else if (value instanceof Record record) {
            writeRecord(record, depth + 1);
        } else if (value.getClass().isArray()) {
            writeNativeArray(value, depth + 1);
        } else {
            throw new JsonException("a " + value.getClass().getName() + " has no JSON form; use a Map, List, "
                    + "String, Number, Boolean, record or null");
        }
    }

    private void writeNumber(Number number) {
        if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte
                || number instanceof BigInteger) {
            out.append(number);
        } else if (number instanceof Double d) {
            writeFinite(d.doubleValue());
        } else if (number instanceof Float f) {
            writeFinite(f.floatValue());
        } else if (number instanceof BigDecimal decimal) {
            out.append(decimal); // toString, not toPlainString: 1E+400 stays short; both are JSON numbers
        } else {
            writeOtherNumber(number);
        }
    }

    /** AtomicLong, LongAdder and the like: their toString is their decimal value, checked here. */
    private void writeOtherNumber(Number number) {
        try {
            out.append(new BigDecimal(number.toString()));
        } catch (NumberFormatException e) {
            throw new JsonException("a " + number.getClass().getName() + " of " + number + " has no JSON form");
        }
    }

    private void writeFinite(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new JsonException(value + " has no JSON form");
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value).append(".0"); // 3.0, not 3.0E0; keeps a double a double when read back
        } else {
            out.append(value);
        }
    }

    private void writeFinite(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            throw new JsonException(value + " has no JSON form");
        }
        out.append(value);
    }

    private void writeObject(Map<?, ?> map, int depth) {
        checkDepth(depth);
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                throw new JsonException("a JSON object's member names are strings, not "
                        + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()));
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(name);
            out.append(':');
            write(entry.getValue(), depth);
        }
        out.append('}');
    }

    private void writeArray(Iterable<?> iterable, int depth) {
        checkDepth(depth);
        out.append('[');
        boolean first = true;
        for (Object element : iterable) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(element, depth);
        }
        out.append(']');
    }

    private void writeNativeArray(Object array, int depth) {
        checkDepth(depth);
        out.append('[');
        int length = Array.getLength(array);
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                out.append(',');
            }
            write(Array.get(array, i), depth);
        }
        out.append(']');
    }

    private void writeRecord(Record record, int depth) {
        checkDepth(depth);
        out.append('{');
        RecordComponent[] components = record.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            writeString(components[i].getName());
            out.append(':');
            write(componentValue(record, components[i].getAccessor()), depth);
        }
        out.append('}');
    }

    /** A handler's records are often private nested types; their accessors are still the data. */
    private static Object componentValue(Record record, Method accessor) {
        try {
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new JsonException("cannot read " + accessor.getName() + " of a " + record.getClass().getName() + ": " + e);
        } catch (InvocationTargetException e) {
            throw new JsonException(accessor.getName() + " of a " + record.getClass().getName() + " threw "
                    + e.getCause());
        }
    }

    private void writeString(CharSequence text) {
        out.append('"');
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(text, i)) {
                        unicodeEscape(c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A surrogate not part of a pair: as a character it has no UTF-8 form, as an escape it survives. */
    private static boolean isLoneSurrogate(CharSequence text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
        }
        return false;
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
    }

    private static void checkDepth(int depth) {
        if (depth > Json.MAX_DEPTH) {
            throw new JsonException("nesting deeper than " + Json.MAX_DEPTH + " levels (a value that contains itself?)");
        }
    }
}
