package io.nimbus.domain.events;

import io.nimbus.domain.Invocation;
import java.util.List;

/** An event with the invocations it starts: the store writes them in one transaction. */
public record Publication(Event event, List<Invocation> deliveries) {
    public Publication {
        deliveries = List.copyOf(deliveries);
    }
}
