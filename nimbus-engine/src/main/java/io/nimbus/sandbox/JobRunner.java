package io.nimbus.sandbox;

import java.io.IOException;

/** Runs one-shot jobs. An interface so that a test can watch what is run; {@link NamespaceJobs} runs them. */
@FunctionalInterface
public interface JobRunner {

    /** Runs the job to its end or its timeout, blocking the calling thread. */
    JobResult run(SandboxJob job) throws IOException;
}
