package io.nimbus.sdk.internal;

import io.nimbus.sdk.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** The protocol's error object ({@code type}, {@code message}, {@code stack}) as a Resp header. */
final class ErrorReport {
    /** An error's message and stack are clipped so that a huge text cannot overflow a frame. */
    static final int TEXT_LIMIT = 32768;
    /** Frames between the worker and the user's code: the worker's own and reflection's. */
    private static final String[] RUNTIME_FRAMES = {
        "\tat io.nimbus.sdk.internal.", "\tat java.base/jdk.internal.reflect.", "\tat java.base/java.lang.reflect."};

    private ErrorReport() {
    }

    /** A failure of the user's code: its class's simple name, its message and its stack from the user's frames. */
    static byte[] of(Throwable failure) {
        String type = failure.getClass().getSimpleName();
        return header(type.isEmpty() ? failure.getClass().getName() : type,
                Objects.toString(failure.getMessage(), ""), stack(failure));
    }

    static byte[] of(WorkerError error) {
        return header(error.type(), error.getMessage(), "");
    }

    static byte[] header(String type, String message, String stack) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", clip(message));
        error.put("stack", clip(stack));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("ok", false);
        header.put("error", error);
        return Json.write(header).getBytes(StandardCharsets.UTF_8);
    }

    private static String stack(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString().lines().filter(ErrorReport::isUserLine).collect(Collectors.joining("\n", "", "\n"));
    }

    private static boolean isUserLine(String line) {
        for (String prefix : RUNTIME_FRAMES) {
            if (line.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }

    private static String clip(String text) {
        return text.length() <= TEXT_LIMIT ? text : text.substring(0, TEXT_LIMIT) + "... [clipped]";
    }
}
