package io.nimbus.domain.events;

import java.util.List;
import java.util.Optional;

/** Events and the rules that route them. */
public interface EventStore {

    /** Keeps the event and queues its deliveries in one transaction: none is lost once this returns. */
    void publish(Publication publication);

    /** The topic's latest events, newest first. */
    List<Event> recent(String topic, int limit);

    /**
     * @throws io.nimbus.domain.DomainException CONFLICT when the name is taken, NOT_FOUND when the function is gone
     */
    void createRule(Rule rule);

    /** Every rule, or those of one topic when {@code topic} is not null, by name. */
    List<Rule> rules(String topic);

    Optional<Rule> rule(String name);

    boolean deleteRule(String name);
}
