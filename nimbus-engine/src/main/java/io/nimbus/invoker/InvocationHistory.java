package io.nimbus.invoker;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationQuery;
import io.nimbus.domain.InvocationStore;

import java.util.List;
import java.util.Optional;

/**
 * Reading invocation records. Records are written in the background; a read first flushes
 * what is queued, so a client sees its invocation as soon as the invocation has answered.
 */
public final class InvocationHistory {
    private final InvocationStore store;
    private final InvocationRecorder recorder;

    public InvocationHistory(InvocationStore store, InvocationRecorder recorder) {
        this.store = store;
        this.recorder = recorder;
    }

    public Optional<Invocation> find(String id) {
        Optional<Invocation> found = store.findById(id);
        if (found.isPresent()) {
            return found;
        }
        recorder.flush();
        return store.findById(id);
    }

    public List<Invocation> list(InvocationQuery query) {
        recorder.flush();
        return store.list(query);
    }
}
