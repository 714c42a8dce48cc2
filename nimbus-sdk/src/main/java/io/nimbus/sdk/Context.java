package io.nimbus.sdk;

import java.util.Map;

/**
 * Who is calling and how much time is left. The names follow AWS Lambda's Java
 * {@code Context}, so that a Lambda handler's body reads the same.
 */
public interface Context {

    /** The invocation's id, as the API reports it. */
    String getRequestId();

    String getFunctionName();

    int getFunctionVersion();

    int getMemoryLimitInMB();

    /** Milliseconds until the host stops this invocation; never negative. */
    long getRemainingTimeInMillis();

    /** Lines written here land in the invocation's logs as {@code [INFO] message}, like System.out's. */
    FunctionLogger getLogger();

    /**
     * The function's environment variables (its own and the {@code NIMBUS_*} ones). The same
     * variables are in {@link System#getenv()} too.
     */
    Map<String, String> getEnvironment();
}
