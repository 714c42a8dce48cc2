package io.nimbus.invoker;

import io.nimbus.domain.Alias;
import io.nimbus.domain.AliasValidator;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.functions.Aliases;
import io.nimbus.functions.FunctionService;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Turns what a caller named into the version that serves the call: {@code name} (the latest
 * version), {@code name:3} or {@code ?version=3} (that version), {@code name:alias} (the
 * alias's version, or its canary version for a {@code weight} share of calls, drawn per call).
 */
public final class Resolver {
    private static final String LATEST = "latest";

    private final FunctionService functions;
    private final Aliases aliases;
    private final DoubleSupplier draw;

    public Resolver(FunctionService functions, Aliases aliases) {
        this(functions, aliases, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param draw uniform in [0, 1): the seam a test fixes */
    Resolver(FunctionService functions, Aliases aliases, DoubleSupplier draw) {
        this.functions = functions;
        this.aliases = aliases;
        this.draw = draw;
    }

    /**
     * @param ref     an id or a name, with an optional {@code :qualifier}
     * @param version the {@code version} query parameter, or null
     */
    public Resolution resolve(String ref, String version) {
        int colon = ref.indexOf(':');
        String qualifier = colon < 0 ? null : ref.substring(colon + 1);
        Function latest = functions.require(colon < 0 ? ref : ref.substring(0, colon));
        if (version != null && qualifier != null) {
            throw DomainException.invalid("version", "name either a qualifier (name:3) or ?version=, not both");
        }
        if (version != null) {
            return new Resolution(functions.version(latest, versionNumber(version, "version")), null, true);
        }
        if (qualifier == null || qualifier.equals(LATEST)) {
            return Resolution.latest(latest);
        }
        if (!qualifier.isEmpty() && qualifier.chars().allMatch(Character::isDigit)) {
            return new Resolution(functions.version(latest, versionNumber(qualifier, "qualifier")), null, true);
        }
        if (!AliasValidator.isAliasName(qualifier)) {
            throw DomainException.invalid("qualifier", "a qualifier is a version number or an alias name: " + qualifier);
        }
        Alias alias = aliases.require(latest, qualifier);
        return new Resolution(functions.version(latest, alias.pick(draw.getAsDouble())), alias.name(), true);
    }

    private static int versionNumber(String text, String field) {
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below, as a number below 1 is
        }
        throw DomainException.invalid(field, field + " must be a version number, 1 or more: " + text);
    }
}
