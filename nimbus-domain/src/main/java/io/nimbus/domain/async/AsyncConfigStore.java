package io.nimbus.domain.async;

import java.time.Instant;
import java.util.Optional;

/** The async settings of functions; a function without any has {@link AsyncConfig#DEFAULT}. */
public interface AsyncConfigStore {

    Optional<AsyncConfig> find(String functionId);

    /** @throws io.nimbus.domain.DomainException NOT_FOUND when the function is gone */
    void save(String functionId, AsyncConfig config, Instant now);

    boolean delete(String functionId);
}
