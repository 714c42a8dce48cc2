package io.nimbus.build;

import java.util.List;
import java.util.Map;

/**
 * How to compile one prepared input, as seen inside the build sandbox (the input at
 * {@code /src}, the working directory; a private {@code /tmp}).
 *
 * @param command     the compiler's command line
 * @param environment what the compiler needs beyond PATH, LANG, HOME and TMPDIR
 * @param product     the file the command writes, under /tmp: it becomes the artifact's entry
 * @param mode        how the artifact will be run
 * @param entry       the entry file's name in the artifact
 */
record BuildPlan(List<String> command, Map<String, String> environment, String product, Artifact.Mode mode,
                 String entry) {
}
