/**
 * The event bus: events published on topics, and rules that bind a topic (with an optional
 * filter on the event's fields) to a function, as OpenWhisk's triggers and rules do.
 */
package io.nimbus.domain.events;
