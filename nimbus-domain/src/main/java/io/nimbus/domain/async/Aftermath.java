package io.nimbus.domain.async;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.events.Publication;
import java.util.List;

/**
 * What a finished async invocation leaves behind, written in the transaction that writes its
 * final record: invocations of destination functions, events on destination topics, and a
 * dead letter when it failed with nowhere else to go.
 */
public record Aftermath(List<Invocation> followUps, List<Publication> publications, DeadLetter deadLetter) {
    public static final Aftermath NONE = new Aftermath(List.of(), List.of(), null);

    public Aftermath {
        followUps = List.copyOf(followUps);
        publications = List.copyOf(publications);
    }
}
