package io.nimbus.build;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ToolchainsTest {

    @Test
    void everyCompiledRuntimeIsReportedWithItsVersionOrThePackagesItLacks() {
        List<Toolchain> found = BuildFixture.toolchains().all();

        assertThat(found).extracting(Toolchain::id).containsExactly("go", "rust-wasm", "c-wasm", "java25");
        assertThat(found).allSatisfy(toolchain -> {
            if (toolchain.available()) {
                assertThat(toolchain.version()).as("the compiler's own version").matches("\\d+(\\.\\d+)+([+-].*)?");
            } else {
                assertThat(toolchain.missingPackages()).isNotEmpty();
                assertThat(toolchain.unavailableMessage()).contains("apt-get install -y " + toolchain.missingPackages().getFirst());
            }
        });
    }

    @Test
    void aRuntimeAnswersToItsAliases() {
        Toolchains toolchains = new Toolchains(List.of(new Toolchain("go", Set.of("golang"), "Go", "1.19.8", List.of())));

        assertThat(toolchains.find("golang")).map(Toolchain::id).hasValue("go");
        assertThat(toolchains.find("python")).isEmpty();
    }
}
