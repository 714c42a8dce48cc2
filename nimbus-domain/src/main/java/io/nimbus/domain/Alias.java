package io.nimbus.domain;

import java.time.Instant;

/**
 * A name for one version of a function, such as {@code prod}, invoked as {@code name:prod}.
 * With an {@code additionalVersion}, that version serves a {@code weight} share of the calls
 * (a canary) and {@code version} the rest.
 *
 * @param additionalVersion the canary version, or null for none
 * @param weight            the canary's share of calls, 0 to 1; 0 when there is no canary
 */
public record Alias(String functionId, String name, int version, Integer additionalVersion, double weight,
                    Instant createdAt, Instant updatedAt) {

    /** The version to serve one call, given a uniform draw in [0, 1). */
    public int pick(double draw) {
        return additionalVersion != null && draw < weight ? additionalVersion : version;
    }

    /** Whether this alias can route a call to {@code candidate}. */
    public boolean targets(int candidate) {
        return version == candidate || (additionalVersion != null && additionalVersion == candidate);
    }
}
