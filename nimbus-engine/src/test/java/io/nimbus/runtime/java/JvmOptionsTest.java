package io.nimbus.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JvmOptionsTest {

    @Test
    void theHeapIsSixtyPercentOfTheMemoryLimitAndTheRestIsBounded() {
        assertThat(JvmOptions.forWorker(256, 0.145))
                .contains("-Xmx153m", "-XX:MaxMetaspaceSize=32m", "-XX:MaxDirectMemorySize=32m", "-XX:+UseSerialGC");
        assertThat(JvmOptions.forWorker(64, 0.04)).contains("-Xmx38m", "-XX:MaxMetaspaceSize=16m", "-XX:MaxDirectMemorySize=8m");
    }

    @Test
    void smallInstancesCompileWithC1OnlyAndTheDefaultSizeUpWithBothCompilers() {
        assertThat(JvmOptions.forWorker(128, 0.07)).contains("-XX:TieredStopAtLevel=1");
        assertThat(JvmOptions.forWorker(256, 0.145)).noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
    }

    @Test
    void theJvmSeesItsCpuShareRoundedUpToWholeProcessors() {
        assertThat(JvmOptions.forWorker(256, 0.145)).contains("-XX:ActiveProcessorCount=1");
        assertThat(JvmOptions.forWorker(4096, 2.3)).contains("-XX:ActiveProcessorCount=3");
    }
}
