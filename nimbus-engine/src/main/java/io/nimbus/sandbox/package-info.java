/**
 * Sandbox backends: how a worker process is started and confined. {@code namespace}
 * (bubblewrap, control groups, seccomp) is the default; {@code gvisor} (runsc) puts a
 * user-space kernel in between; {@code process} runs without isolation, for development only.
 * One-shot jobs (builds, plain-mode programs) run in the same namespace sandbox: {@link io.nimbus.sandbox.NamespaceJobs}.
 */
package io.nimbus.sandbox;
