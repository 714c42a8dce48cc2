package io.nimbus.wasm;

import com.dylibso.chicory.log.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chicory's WASI diagnostics, into the server's log (SLF4J) like the rest of Nimbus. One
 * shared instance also keeps WASI cheap to set up: without a logger, Chicory looks one up
 * for every WASI instance, which was half of the cost of instantiating a small module.
 */
final class WasiLog implements Logger {
    static final WasiLog INSTANCE = new WasiLog();
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("io.nimbus.wasm.wasi");

    private WasiLog() {
    }

    @Override
    public void log(Level level, String message, Throwable failure) {
        switch (level) {
            case ERROR -> LOG.error(message, failure);
            case WARNING -> LOG.warn(message, failure);
            case INFO -> LOG.info(message, failure);
            case DEBUG -> LOG.debug(message, failure);
            default -> LOG.trace(message, failure);
        }
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case OFF -> false;
            case ERROR -> LOG.isErrorEnabled();
            case WARNING -> LOG.isWarnEnabled();
            case INFO -> LOG.isInfoEnabled();
            case DEBUG -> LOG.isDebugEnabled();
            case TRACE, ALL -> LOG.isTraceEnabled();
        };
    }
}
