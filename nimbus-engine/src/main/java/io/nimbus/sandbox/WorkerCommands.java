package io.nimbus.sandbox;

import java.util.ArrayList;
import java.util.List;

/**
 * How a worker's descriptors are laid out. Java gives a child three pipes (stdin, stdout,
 * stderr); the protocol wants its own pair. A {@code /bin/sh} in front moves them before
 * the worker starts: the pipe to the child's stdin becomes fd 3, the pipe from its stdout
 * becomes fd 4, stdin becomes /dev/null and stdout joins stderr, which the backend points at
 * the stray-output file. A function that prints cannot reach fd 4.
 */
final class WorkerCommands {
    private static final String MOVE_PIPES = "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2";

    private WorkerCommands() {
    }

    static List<String> movingProtocolPipes(List<String> command) {
        List<String> full = new ArrayList<>(List.of("/bin/sh", "-c", MOVE_PIPES));
        full.addAll(command);
        return full;
    }
}
