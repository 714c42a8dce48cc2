package io.nimbus.runtime;

import io.nimbus.build.Toolchain;
import io.nimbus.build.Toolchains;
import io.nimbus.domain.DomainException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuntimeCatalogueTest {
    private static final RuntimeRegistry NO_INTERPRETERS = new RuntimeRegistry(List.of());

    @Test
    void goIsNamedAfterItsInstalledVersionAndAnswersToGoAndGolang() {
        RuntimeCatalogue catalogue = new RuntimeCatalogue(NO_INTERPRETERS, new Toolchains(List.of(
                new Toolchain(Toolchains.GO, Set.of("golang"), "Go", "1.19.8", List.of()))));

        RuntimeEntry go = catalogue.require("golang");

        assertThat(go.id()).isEqualTo("go1.19");
        assertThat(catalogue.require("go")).isEqualTo(go);
        assertThat(go.kind()).isEqualTo(RuntimeEntry.Kind.COMPILED);
        assertThat(go.toolchain()).isEqualTo(Toolchains.GO);
    }

    @Test
    void aRuntimeWhoseToolchainIsMissingIsRefusedNamingThePackages() {
        RuntimeCatalogue catalogue = new RuntimeCatalogue(NO_INTERPRETERS, new Toolchains(List.of(
                new Toolchain(Toolchains.RUST_WASM, Set.of("rust"), "Rust", "1.63.0", List.of("libstd-rust-dev-wasm32")))));

        assertThat(catalogue.find("rust-wasm").orElseThrow().available()).isFalse();
        assertThatThrownBy(() -> catalogue.require("rust"))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.code()).isEqualTo("RuntimeUnavailable");
                    assertThat(e.field()).isEqualTo("runtime");
                    assertThat(e.getMessage()).contains("apt-get install -y libstd-rust-dev-wasm32");
                });
    }

    @Test
    void webAssemblyIsAlwaysAvailable() {
        RuntimeCatalogue catalogue = new RuntimeCatalogue(NO_INTERPRETERS, new Toolchains(List.of()));

        assertThat(catalogue.require("wasm").kind()).isEqualTo(RuntimeEntry.Kind.WASM);
        assertThat(catalogue.require("wat").built()).isFalse();
    }
}
