package io.nimbus.functions;

import io.nimbus.build.BuildOutcome;

/** What a build's end says, as the build log a user reads on the function and at its /build. */
public final class BuildLogs {

    private BuildLogs() {
    }

    public static String of(BuildOutcome outcome) {
        return switch (outcome) {
            case BuildOutcome.Built built -> built.log();
            case BuildOutcome.BuildFailed failed -> failed.diagnostics();
            case BuildOutcome.TimedOut timedOut -> "the build did not finish within " + timedOut.after().toSeconds()
                    + " s and was stopped";
        };
    }
}
