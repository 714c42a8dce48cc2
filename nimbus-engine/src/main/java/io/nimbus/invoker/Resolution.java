package io.nimbus.invoker;

import io.nimbus.domain.Function;

/**
 * The version one call runs, and how it was named.
 *
 * @param alias  the alias that chose the version, or null
 * @param pinned true when the caller named a version or an alias: that version may run even
 *               after a newer one was published; an unpinned call always runs the latest
 */
public record Resolution(Function function, String alias, boolean pinned) {

    public static Resolution latest(Function function) {
        return new Resolution(function, null, false);
    }
}
