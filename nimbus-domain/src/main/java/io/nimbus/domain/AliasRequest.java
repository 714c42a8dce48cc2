package io.nimbus.domain;

/**
 * What a client asks for when it creates or replaces an alias, before validation.
 *
 * @param name   required on create; on replace, null or equal to the alias's name
 * @param weight the share of calls for {@code additionalVersion}, 0 to 1
 */
public record AliasRequest(String name, Integer version, Integer additionalVersion, Double weight) {
}
