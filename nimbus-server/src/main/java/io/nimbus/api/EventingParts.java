package io.nimbus.api;

import io.nimbus.cron.Schedules;
import io.nimbus.events.EventBus;
import io.nimbus.invoker.AsyncConfigs;
import io.nimbus.invoker.DeadLetters;

/** The use cases behind the reliable-async, event-bus and cron endpoints. */
public record EventingParts(AsyncConfigs asyncConfigs, DeadLetters deadLetters, EventBus bus, Schedules schedules) {
}
