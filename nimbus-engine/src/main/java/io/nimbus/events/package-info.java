/**
 * The event bus: publishing an event fans it out, through the durable queue, to the function
 * of every rule whose topic and filter match; rules are managed here too.
 */
package io.nimbus.events;
