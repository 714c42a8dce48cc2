package io.nimbus.domain;

/**
 * How a runtime reads a function's files: its handler rule and the file that inline
 * {@code code} becomes.
 *
 * @param handlerRule     what the handler field names
 * @param inlineExtension the extension of inline source ({@code .py}, {@code .java})
 * @param inlineFileName  the fixed name of inline source ({@code main.go}, {@code lib.rs}); null to
 *                        name it after the handler (its module, or its class)
 */
public record SourceLayout(HandlerRule handlerRule, String inlineExtension, String inlineFileName) {

    /** The file inline source becomes for this (already checked) handler. */
    public String inlineFile(String handler) {
        if (inlineFileName != null) {
            return inlineFileName;
        }
        String stem = handlerRule == HandlerRule.MODULE_FUNCTION ? handler.substring(0, handler.lastIndexOf('.')) : handler;
        return stem.replace('.', '/') + inlineExtension;
    }
}
