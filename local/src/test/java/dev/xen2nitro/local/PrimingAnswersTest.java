package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The answers the package replays while priming (functions/src/main/resources/priming, {@link PrimingRecorder}) are what
 * the local cloud answers each function's events/ sample today: the same input, and for each call the same answers, by
 * status, in the same order. The bodies hold what AWS generates afresh (request IDs, times), so they are not compared;
 * DeployedPackageTest checks that priming from the package takes them all.
 */
public class PrimingAnswersTest {
    static final String HOW = "; record them again: ./mvnw -q -B -pl local -am test-compile -DskipTests && java"
            + " -Dxen2nitro.projectRoot=. -cp local/target/test-classes:local/target/classes:$(cat local/target/test-classpath.txt)"
            + " dev.xen2nitro.local.PrimingRecorder";

    static Map<String, PrimingRecorder.Recording> fresh;

    @BeforeAll
    static void record() throws Exception {
        fresh = PrimingRecorder.record(Worlds.root());
    }

    @Test
    void everyFunctionHasItsFileAndNoOtherFileIsThere() throws Exception {
        TreeSet<String> expected = new TreeSet<>();
        fresh.values().forEach(r -> expected.add(r.file()));
        TreeSet<String> committed = new TreeSet<>();
        try (var files = Files.list(Worlds.root().resolve(PrimingRecorder.DIRECTORY))) {
            files.forEach(p -> committed.add(p.getFileName().toString()));
        }
        assertEquals(expected, committed, "the priming answers are not those of template.yaml's functions" + HOW);
        // Every function of the template, three of which compute alone (their files hold their input and no answer).
        assertEquals(47, committed.size(), committed.toString());
        assertEquals(3, fresh.values().stream().filter(r -> r.answers().isEmpty()).count(), fresh.keySet().toString());
    }

    @Test
    void eachFileHoldsTheSampleAndTheCallsItMakesToday() throws Exception {
        List<String> stale = new ArrayList<>();
        for (var e : fresh.entrySet()) {
            PrimingRecorder.Recording now = e.getValue();
            Path file = Worlds.root().resolve(PrimingRecorder.DIRECTORY).resolve(now.file());
            if (!Files.isRegularFile(file)) {
                stale.add(e.getKey() + ": no " + now.file());
                continue;
            }
            JsonNode kept = PrimingRecorder.JSON.readTree(Files.readString(file));
            if (!kept.get("input").equals(now.input())) {
                stale.add(e.getKey() + ": its input is not events/" + e.getKey() + ".json");
            }
            Map<String, List<Integer>> keptCalls = new TreeMap<>(), nowCalls = new TreeMap<>();
            kept.get("answers").forEach(a -> keptCalls.computeIfAbsent(a.get("call").asText(), k -> new ArrayList<>()).add(a.get("status").asInt()));
            now.answers().forEach(a -> nowCalls.computeIfAbsent(a.call(), k -> new ArrayList<>()).add(a.status()));
            if (!keptCalls.equals(nowCalls)) {
                stale.add(e.getKey() + ": kept " + keptCalls + ", now " + nowCalls);
            }
            for (JsonNode a : kept.get("answers")) {
                if (a.get("status").asInt() == 200 && a.get("body").asText().isEmpty() && !a.get("call").asText().startsWith("s3 ")
                        && !a.get("contentType").asText().contains("json")) {
                    stale.add(e.getKey() + ": " + a.get("call").asText() + " has no body");
                }
            }
        }
        assertEquals(List.of(), stale, "the priming answers differ from what the samples are answered today" + HOW);
    }

    /**
     * Nothing recorded makes priming wait or change with the date: no answer the SDK retries (a 5xx, a throttling error),
     * which would sleep out its backoff in beforeCheckpoint, within Lambda's limit for the snapshot's initialization; no
     * time still ahead in an answer (an expiry), which priming would pass some day and then take another path.
     */
    @Test
    void noAnswerIsRetriedOrLapses() throws Exception {
        java.util.regex.Pattern instant = java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        java.time.Instant soon = java.time.Instant.now().plusSeconds(3600), never = java.time.Instant.parse("2090-01-01T00:00:00Z");
        List<String> found = new ArrayList<>();
        try (var files = Files.list(Worlds.root().resolve(PrimingRecorder.DIRECTORY))) {
            for (Path file : files.sorted().toList()) {
                JsonNode recording = PrimingRecorder.JSON.readTree(Files.readString(file));
                // A sample that gives the time it is judged at (SelectInstances' asOf, ReservationRenewal's scheduledTime)
                // compares what it is answered with that time, not with the clock.
                boolean timed = recording.get("input").has("asOf") || recording.get("input").has("scheduledTime");
                for (JsonNode a : recording.get("answers")) {
                    String body = a.get("body").asText();
                    int status = a.get("status").asInt();
                    if (status >= 500 || status == 429 || body.contains("Throttl") || body.contains("RequestLimitExceeded")) {
                        found.add(file.getFileName() + ": " + a.get("call").asText() + " answered " + status + " (retried)");
                    }
                    var m = instant.matcher(body);
                    while (!timed && m.find()) {
                        java.time.Instant t = java.time.Instant.parse(m.group());
                        if (t.isAfter(soon) && t.isBefore(never)) {
                            found.add(file.getFileName() + ": " + a.get("call").asText() + " holds " + m.group() + ", which will lapse");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "give the sample's world answers that neither retry nor expire" + HOW);
    }
}
