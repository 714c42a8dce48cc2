package io.nimbus.build;

import java.time.Duration;

/** How a build ended. Every failure is a value: a build never throws at its caller. */
public sealed interface BuildOutcome {

    /**
     * The artifact is in the store.
     *
     * @param log what the compiler printed (warnings), or a note that the artifact was already stored
     */
    record Built(Artifact artifact, String log) implements BuildOutcome {
    }

    /** The code does not build; {@code diagnostics} is what the compiler said (at most 64 KiB) or why not. */
    record BuildFailed(String diagnostics) implements BuildOutcome {
    }

    /** The build ran past its time and was killed, with everything it started. */
    record TimedOut(Duration after) implements BuildOutcome {
    }
}
