package io.nimbus.events;

import io.nimbus.domain.DomainException;

import java.util.regex.Pattern;

/** What a topic name may be: it appears in URL paths and in destination settings. */
public final class Topics {
    private static final Pattern TOPIC = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");

    private Topics() {
    }

    public static String require(String topic, String field) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw DomainException.invalid(field, "a topic is 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return topic;
    }
}
