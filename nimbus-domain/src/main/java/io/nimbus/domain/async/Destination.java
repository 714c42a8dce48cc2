package io.nimbus.domain.async;

/** Where the record of a finished async invocation is sent: another function, or a topic of the event bus. */
public sealed interface Destination {

    /** An async invocation of the function, with the destination record as its event. */
    record ToFunction(String functionId, String functionName) implements Destination {
    }

    /** An event on the topic, with the destination record as its body. */
    record ToTopic(String topic) implements Destination {
    }
}
