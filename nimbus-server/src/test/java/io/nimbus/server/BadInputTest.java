package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.nimbus.server.ApiClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every validation rule of the function API, one test each: the status, the error code, the
 * field at fault, and that nothing changed (no function created, an existing one untouched).
 */
class BadInputTest {
    private static final String CODE = "def handler(event, context):\n    return 'target'\n";
    private static final String TARGET = "bad-input-target";
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final int MIB = 1024 * 1024;

    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
        api.createFunction(TARGET, "python", CODE, Map.of("env_vars", Map.of("KEEP", "me"), "tags", List.of("target"),
                "description", "the function bad updates must not touch", "memory_mb", 128));
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    // ---------------------------------------------------------------- name

    @Test
    void aMissingOrEmptyNameIsRefused() {
        ObjectNode missing = valid();
        missing.remove("name");

        refusedCreate(missing, 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", ""), 400, "InvalidInput", "name");
        refusedCreate(valid().putNull("name"), 400, "InvalidInput", "name");
    }

    @Test
    void aNameWithUppercaseLettersIsRefused() {
        refusedCreate(valid().put("name", "Bad-Name"), 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", "badName"), 400, "InvalidInput", "name");
    }

    @Test
    void aNameStartingWithADigitOrAHyphenIsRefused() {
        refusedCreate(valid().put("name", "1bad"), 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", "9"), 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", "-bad"), 400, "InvalidInput", "name");
    }

    @Test
    void aNameOf64CharactersIsRefusedWhile63AreAccepted() {
        refusedCreate(valid().put("name", "n".repeat(64)), 400, "InvalidInput", "name");

        Reply accepted = api.post("/api/v1/functions", valid().put("name", "n".repeat(63)).toString());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
    }

    @Test
    void aNameWithAnUnderscoreOrOtherPunctuationIsRefused() {
        refusedCreate(valid().put("name", "bad_name"), 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", "bad.name"), 400, "InvalidInput", "name");
        refusedCreate(valid().put("name", "bad name"), 400, "InvalidInput", "name");
    }

    @Test
    void aNameAlreadyTakenIsAConflictAndTheExistingFunctionIsUntouched() {
        JsonNode before = target();

        refusedCreate(valid().put("name", TARGET), 409, "Conflict", "name");
        refusedCreate(valid().put("name", TARGET).put("runtime", "node")
                .put("code", "exports.handler = async () => 'other';\n"), 409, "Conflict", "name");

        assertThat(target()).isEqualTo(before);
        assertThat(api.invoke(TARGET, "{}").body()).isEqualTo("\"target\"");
    }

    @Test
    void renamingAFunctionWithPutIsRefused() {
        refusedUpdate(JSON.createObjectNode().put("name", "bad-input-renamed"), 400, "InvalidInput", "name");

        assertThat(api.get("/api/v1/functions/bad-input-renamed").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- runtime

    @Test
    void aMissingRuntimeIsRefused() {
        ObjectNode missing = valid();
        missing.remove("runtime");

        refusedCreate(missing, 400, "InvalidInput", "runtime");
        refusedCreate(valid().put("runtime", ""), 400, "InvalidInput", "runtime");
    }

    @Test
    void anUnknownRuntimeIsRefused() {
        refusedCreate(valid().put("runtime", "ruby3.2"), 400, "InvalidInput", "runtime");
        refusedUpdate(JSON.createObjectNode().put("runtime", "ruby3.2"), 400, "InvalidInput", "runtime");
        refusedUpdate(JSON.createObjectNode().put("runtime", ""), 400, "InvalidInput", "runtime");
    }

    // ---------------------------------------------------------------- handler

    @Test
    void aMissingHandlerIsRefused() {
        ObjectNode missing = valid();
        missing.remove("handler");

        refusedCreate(missing, 400, "InvalidInput", "handler");
        refusedCreate(valid().put("handler", ""), 400, "InvalidInput", "handler");
    }

    @Test
    void aHandlerWithoutADotIsRefused() {
        refusedCreate(valid().put("handler", "main"), 400, "InvalidInput", "handler");
        refusedUpdate(JSON.createObjectNode().put("handler", "main"), 400, "InvalidInput", "handler");
    }

    @Test
    void aHandlerEndingWithADotIsRefused() {
        refusedCreate(valid().put("handler", "main."), 400, "InvalidInput", "handler");
        refusedCreate(valid().put("handler", ".handler"), 400, "InvalidInput", "handler");
        refusedCreate(valid().put("handler", "main..handler"), 400, "InvalidInput", "handler");
        refusedUpdate(JSON.createObjectNode().put("handler", "main."), 400, "InvalidInput", "handler");
    }

    @Test
    void aHandlerWhoseModuleIsNotAmongTheFilesIsRefused() {
        ObjectNode body = valid().put("handler", "app.handler");
        body.remove("code");
        body.set("files", JSON.valueToTree(Map.of("main.py", b64(CODE))));

        refusedCreate(body, 400, "InvalidInput", "handler");
        // the current code has main.py only
        refusedUpdate(JSON.createObjectNode().put("handler", "other.handler"), 400, "InvalidInput", "handler");
        ObjectNode update = JSON.createObjectNode().put("handler", "main.handler");
        update.set("files", JSON.valueToTree(Map.of("lib/util.py", b64("X = 1\n"))));
        refusedUpdate(update, 400, "InvalidInput", "handler");
    }

    // ---------------------------------------------------------------- code and files

    @Test
    void codeAndFilesTogetherAreRefused() {
        ObjectNode both = valid();
        both.set("files", JSON.valueToTree(Map.of("main.py", b64(CODE))));

        refusedCreate(both, 400, "InvalidInput", "code");
        ObjectNode update = JSON.createObjectNode().put("code", CODE);
        update.set("files", JSON.valueToTree(Map.of("main.py", b64(CODE))));
        refusedUpdate(update, 400, "InvalidInput", "code");
    }

    @Test
    void neitherCodeNorFilesIsRefused() {
        ObjectNode neither = valid();
        neither.remove("code");

        refusedCreate(neither, 400, "InvalidInput", "code");
    }

    @Test
    void inlineCodeOver512KiBIsTooLargeWhileExactly512KiBIsAccepted() {
        String head = "def handler(event, context):\n    return 'big'\n#";
        String tooBig = head + "x".repeat(512 * 1024 + 1 - head.length());
        String justFits = head + "x".repeat(512 * 1024 - head.length());

        refusedCreate(valid().put("code", tooBig), 413, "PayloadTooLarge", "code");
        refusedUpdate(JSON.createObjectNode().put("code", tooBig), 413, "PayloadTooLarge", "code");

        Reply accepted = api.post("/api/v1/functions", valid().put("code", justFits).toString());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
    }

    @Test
    void aPackageOver50MiBIsTooLargeNamingFiles() {
        // just over the limit, and about 51 MiB: both decoded sizes are over 50 MiB
        eachCase(List.of(50 * MIB + 4096, 51 * MIB), decoded -> {
            int before = functionCount();
            String name = uniqueName();

            Reply reply = api.post("/api/v1/functions", packageBody(name, decoded));

            String what = decoded + " bytes decoded: " + abbreviate(reply.toString());
            assertThat(reply.status()).as(what).isEqualTo(413);
            assertThat(reply.error().path("code").asText()).as(what).isEqualTo("PayloadTooLarge");
            assertThat(reply.error().path("field").asText(null)).as(what).isEqualTo("files");
            assertThat(functionCount()).isEqualTo(before);
            assertThat(api.get("/api/v1/functions/" + name).status()).isEqualTo(404);
        });
    }

    @Test
    void aPackageOfUpTo50MiBIsAccepted() {
        // the other side of the package rule: large packages within the limit deploy and run
        eachCase(List.of(16 * MIB, 50 * MIB), decoded -> {
            String name = uniqueName();

            Reply reply = api.post("/api/v1/functions", packageBody(name, decoded));

            assertThat(reply.status()).as(decoded + " bytes decoded: " + abbreviate(reply.toString())).isEqualTo(201);
            assertThat(api.invoke(name, "{}").body()).isEqualTo("\"target\"");
        });
    }

    @Test
    void filePathsThatEscapeOrAreNotNormalAreRefusedNamingThePath() {
        eachCase(List.of("../x.py", "/abs.py", "a/../../b.py", "a//b.py", "./main.py", "lib\\util.py",
                "a/./b.py", "lib/", ".."), path -> {
            Map<String, String> files = new LinkedHashMap<>();
            files.put("main.py", b64(CODE));
            files.put(path, b64("X = 1\n"));
            ObjectNode body = valid();
            body.remove("code");
            body.set("files", JSON.valueToTree(files));
            ObjectNode update = JSON.createObjectNode();
            update.set("files", JSON.valueToTree(files));

            refusedCreate(body, 400, "InvalidInput", "files." + path);
            refusedUpdate(update, 400, "InvalidInput", "files." + path);
        });
    }

    @Test
    void fileContentThatIsNotBase64IsRefused() {
        eachCase(List.of("not base64!", "%%%%", "aGVsbG8=!!", "@@@@@@@@", "a"), content -> {
            ObjectNode body = valid();
            body.remove("code");
            body.set("files", JSON.valueToTree(Map.of("main.py", content)));
            ObjectNode update = JSON.createObjectNode();
            update.set("files", JSON.valueToTree(Map.of("main.py", content)));

            refusedCreate(body, 400, "InvalidInput", "files.main.py");
            refusedUpdate(update, 400, "InvalidInput", "files.main.py");
        });
    }

    // ---------------------------------------------------------------- limits

    @Test
    void memoryOutside64To10240IsRefusedAndTheBoundsAreAccepted() {
        for (int memory : new int[] {63, 10241, 0, -1}) {
            refusedCreate(valid().put("memory_mb", memory), 400, "InvalidInput", "memory_mb");
            refusedUpdate(JSON.createObjectNode().put("memory_mb", memory), 400, "InvalidInput", "memory_mb");
        }
        for (int memory : new int[] {64, 10240}) {
            Reply accepted = api.post("/api/v1/functions", valid().put("memory_mb", memory).toString());
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
            assertThat(accepted.json().path("memory_mb").asInt()).isEqualTo(memory);
        }
    }

    @Test
    void timeoutOutside1To900IsRefusedAndTheBoundsAreAccepted() {
        for (int timeout : new int[] {0, 901, -5}) {
            refusedCreate(valid().put("timeout_sec", timeout), 400, "InvalidInput", "timeout_sec");
            refusedUpdate(JSON.createObjectNode().put("timeout_sec", timeout), 400, "InvalidInput", "timeout_sec");
        }
        for (int timeout : new int[] {1, 900}) {
            Reply accepted = api.post("/api/v1/functions", valid().put("timeout_sec", timeout).toString());
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
            assertThat(accepted.json().path("timeout_sec").asInt()).isEqualTo(timeout);
        }
    }

    @Test
    void maxInstancesOf0IsRefused() {
        for (int cap : new int[] {0, -1, 1001}) {
            refusedCreate(valid().put("max_instances", cap), 400, "InvalidInput", "max_instances");
            refusedUpdate(JSON.createObjectNode().put("max_instances", cap), 400, "InvalidInput", "max_instances");
        }
        for (int cap : new int[] {1, 1000}) {
            Reply accepted = api.post("/api/v1/functions", valid().put("max_instances", cap).toString());
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
            assertThat(accepted.json().path("max_instances").asInt()).isEqualTo(cap);
        }
    }

    // ---------------------------------------------------------------- env vars, tags, description

    @Test
    void invalidAndReservedEnvironmentVariableNamesAreRefusedNamingTheVariable() {
        eachCase(List.of("1ABC", "A-B", "", "NIMBUS_X", "nimbus_x", "A B", "A=B"), name -> {
            ObjectNode body = valid();
            body.set("env_vars", JSON.valueToTree(Map.of(name, "v")));
            ObjectNode update = JSON.createObjectNode();
            update.set("env_vars", JSON.valueToTree(Map.of(name, "v")));

            refusedCreate(body, 400, "InvalidInput", "env_vars." + name);
            refusedUpdate(update, 400, "InvalidInput", "env_vars." + name);
        });
    }

    @Test
    void anEnvironmentVariableValueThatIsNotAStringIsRefused() {
        eachCase(List.of("5", "true", "null", "{}", "[\"x\"]", "1.5"), value -> {
            String envVars = "{\"GOOD\": \"fine\", \"A\": " + value + "}";
            ObjectNode body = valid();
            body.set("env_vars", tree(envVars));
            ObjectNode update = JSON.createObjectNode();
            update.set("env_vars", tree(envVars));

            refusedCreate(body, 400, "InvalidInput", "env_vars.A");
            refusedUpdate(update, 400, "InvalidInput", "env_vars.A");
        });
    }

    @Test
    void invalidTagsAreRefused() {
        List<Object> badTags = new ArrayList<>(List.of("has space", "-leading", "", "t".repeat(65), "ünï"));
        eachCase(badTags, tag -> {
            ObjectNode body = valid();
            body.set("tags", JSON.valueToTree(List.of("fine", tag)));
            ObjectNode update = JSON.createObjectNode();
            update.set("tags", JSON.valueToTree(List.of("fine", tag)));

            refusedCreate(body, 400, "InvalidInput", "tags");
            refusedUpdate(update, 400, "InvalidInput", "tags");
        });
        ObjectNode withNull = valid();
        withNull.set("tags", tree("[\"fine\", null]"));
        refusedCreate(withNull, 400, "InvalidInput", "tags");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            tooMany.add("tag-" + i);
        }
        ObjectNode many = valid();
        many.set("tags", JSON.valueToTree(tooMany));
        refusedCreate(many, 400, "InvalidInput", "tags");
    }

    @Test
    void aDescriptionOver1024CharactersIsRefusedWhile1024AreAccepted() {
        refusedCreate(valid().put("description", "d".repeat(1025)), 400, "InvalidInput", "description");
        refusedUpdate(JSON.createObjectNode().put("description", "d".repeat(1025)), 400, "InvalidInput", "description");

        Reply accepted = api.post("/api/v1/functions", valid().put("description", "d".repeat(1024)).toString());
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
    }

    // ---------------------------------------------------------------- the body itself

    @Test
    void aMalformedJsonBodyIsRefused() {
        String name = uniqueName();
        for (String body : List.of("{\"name\": \"" + name + "\", ", "{not json", "{\"name\": \"" + name + "\",}", "",
                validJson(name) + " trailing", validJson(name) + "{}")) {
            refusedCreateRaw(body, 400, "InvalidInput", null);
            assertThat(api.get("/api/v1/functions/" + name).status()).isEqualTo(404);
            refusedUpdateRaw(body.replace(name, TARGET), 400, "InvalidInput", null);
        }
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsRefused() {
        for (String body : List.of("[]", "[" + validJson(uniqueName()) + "]", "\"text\"", "42", "null")) {
            refusedCreateRaw(body, 400, "InvalidInput", null);
            refusedUpdateRaw(body, 400, "InvalidInput", null);
        }
    }

    @Test
    void anUnknownFieldIsRefusedNamingIt() {
        refusedCreate(valid().put("colour", "blue"), 400, "InvalidInput", "colour");
        refusedCreate(valid().put("memoryMb", 128), 400, "InvalidInput", "memoryMb");
        refusedUpdate(JSON.createObjectNode().put("colour", "blue").put("memory_mb", 512), 400, "InvalidInput", "colour");
    }

    @Test
    void aFieldOfTheWrongTypeIsRefusedNamingIt() {
        refusedCreate(valid().put("memory_mb", "big"), 400, "InvalidInput", "memory_mb");
        refusedCreate(valid().put("memory_mb", 128.5), 400, "InvalidInput", "memory_mb");
        refusedCreate(withRaw("memory_mb", "{}"), 400, "InvalidInput", "memory_mb");
        refusedCreate(withRaw("timeout_sec", "[30]"), 400, "InvalidInput", "timeout_sec");
        refusedCreate(withRaw("tags", "\"single\""), 400, "InvalidInput", "tags");
        refusedCreate(withRaw("env_vars", "[\"A\"]"), 400, "InvalidInput", "env_vars");
        refusedCreate(withRaw("files", "[\"main.py\"]"), 400, "InvalidInput", "files");
        refusedUpdate(JSON.createObjectNode().put("memory_mb", "big"), 400, "InvalidInput", "memory_mb");
    }

    // ---------------------------------------------------------------- list parameters

    @Test
    void listParametersOutOfRangeAreRefusedNamingTheParameter() {
        String[][] cases = {
                {"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=abc", "limit"}, {"offset=-1", "offset"},
                {"offset=x", "offset"}, {"status=bogus", "status"}};
        for (String path : List.of("/api/v1/functions?", "/api/v1/invocations?", "/api/v1/functions/" + TARGET + "/invocations?")) {
            for (String[] c : cases) {
                Reply reply = api.get(path + c[0]);
                assertThat(reply.status()).as(path + c[0] + " -> " + reply).isEqualTo(400);
                assertThat(reply.error().path("code").asText()).as(path + c[0]).isEqualTo("InvalidInput");
                assertThat(reply.error().path("field").asText()).as(path + c[0] + " -> " + reply).isEqualTo(c[1]);
            }
            assertThat(api.get(path + "limit=1").status()).isEqualTo(200);
            assertThat(api.get(path + "limit=1000&offset=0").status()).isEqualTo(200);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A valid create body with a fresh name: each test breaks one thing in it. */
    private static ObjectNode valid() {
        return JSON.createObjectNode().put("name", uniqueName()).put("runtime", "python").put("handler", "main.handler")
                .put("code", CODE);
    }

    private static String validJson(String name) {
        return valid().put("name", name).toString();
    }

    private static ObjectNode withRaw(String field, String json) {
        ObjectNode body = valid();
        body.set(field, tree(json));
        return body;
    }

    private static String uniqueName() {
        return "bad-" + NAMES.incrementAndGet();
    }

    /** POSTs the body, checks the refusal, and checks that no function was created. */
    private static void refusedCreate(ObjectNode body, int status, String code, String field) {
        refusedCreateRaw(body.toString(), status, code, field);
        String name = body.path("name").asText("");
        if (name.matches("[a-z][a-z0-9-]*") && !name.equals(TARGET)) {
            assertThat(api.get("/api/v1/functions/" + name).status()).as("function " + name + " exists").isEqualTo(404);
        }
    }

    private static void refusedCreateRaw(String body, int status, String code, String field) {
        JsonNode before = allFunctions();
        Reply reply = api.post("/api/v1/functions", body);
        assertRefusal(reply, status, code, field, body);
        assertThat(allFunctions()).as("the functions after " + abbreviate(body)).isEqualTo(before);
    }

    /** PUTs the patch onto the target function, checks the refusal, and checks that the target is unchanged. */
    private static void refusedUpdate(ObjectNode patch, int status, String code, String field) {
        refusedUpdateRaw(patch.toString(), status, code, field);
    }

    private static void refusedUpdateRaw(String body, int status, String code, String field) {
        JsonNode before = target();
        JsonNode everything = allFunctions();
        Reply reply = api.put("/api/v1/functions/" + TARGET, body);
        assertRefusal(reply, status, code, field, body);
        assertThat(target()).as("the target after PUT " + abbreviate(body)).isEqualTo(before);
        assertThat(allFunctions()).isEqualTo(everything);
    }

    private static void assertRefusal(Reply reply, int status, String code, String field, String body) {
        String what = abbreviate(body) + " -> " + abbreviate(reply.toString());
        assertThat(reply.status()).as(what).isEqualTo(status);
        assertThat(reply.error().path("code").asText()).as(what).isEqualTo(code);
        assertThat(reply.error().path("message").asText()).as(what).isNotBlank();
        if (field != null) {
            assertThat(reply.error().path("field").asText(null)).as(what).isEqualTo(field);
        }
    }

    private static JsonNode target() {
        Reply reply = api.get("/api/v1/functions/" + TARGET);
        assertThat(reply.status()).isEqualTo(200);
        return reply.json();
    }

    private static JsonNode allFunctions() {
        Reply reply = api.get("/api/v1/functions?limit=1000");
        assertThat(reply.status()).isEqualTo(200);
        return reply.json().path("functions");
    }

    private static int functionCount() {
        return allFunctions().size();
    }

    /**
     * Runs the check for every case and reports every case that fails, not just the first: a
     * rule with several examples shows at once which of them the server gets wrong.
     */
    private static <T> void eachCase(List<T> cases, Consumer<T> check) {
        SoftAssertions softly = new SoftAssertions();
        for (T c : cases) {
            softly.check(() -> check.accept(c));
        }
        softly.assertAll();
    }

    /**
     * A create request for a package of {@code decodedBytes} bytes in all: main.py and a blob
     * making up the rest. Built as text, without a tree, to keep the copies few.
     */
    private static byte[] packageBody(String name, int decodedBytes) {
        byte[] main = CODE.getBytes(StandardCharsets.UTF_8);
        String blob = Base64.getEncoder().encodeToString(new byte[decodedBytes - main.length]);
        StringBuilder json = new StringBuilder(blob.length() + 512)
                .append("{\"name\":\"").append(name).append("\",\"runtime\":\"python\",\"handler\":\"main.handler\",")
                .append("\"files\":{\"main.py\":\"").append(b64(CODE)).append("\",\"blob.bin\":\"").append(blob)
                .append("\"}}");
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...(" + text.length() + " chars)";
    }
}
