package dev.xen2nitro.local;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PowerShell the SSM documents run in the guest, parsed by a real PowerShell grammar
 * (local/pslint/check.mjs, tree-sitter-powershell): no syntax error, nothing PowerShell 2.0 lacks (Windows Server 2008 R2) in
 * a script that may run there, every native program's exit code checked, no Sysnative path, no AWS Tools for PowerShell, no
 * parameter in the script's text but in the fallback for SSM Agents that set no SSM_ environment variables. Nothing
 * here runs Windows, so this is the only place a script's own mistakes show before a real migration. Scripts are named by the
 * logical ID of their AWS::SSM::Document in template.yaml; a file given with --script is held to every rule.
 */
class PowerShellScriptsTest {
    final Path root = Worlds.root();
    static final Pattern FINDING = Pattern.compile("^(.+?):(\\d+): ([a-z0-9-]+): (.*)$");
    static final Pattern CHECKED = Pattern.compile("checked (\\d+) script\\(s\\)");

    record Result(int exit, List<String> findings, String stderr) {
        /** "LINE RULE" of each finding, in order. */
        List<String> linesAndRules() {
            List<String> out = new ArrayList<>();
            for (String f : findings) {
                Matcher m = FINDING.matcher(f);
                assertTrue(m.matches(), "a finding reads DOCUMENT:LINE: RULE: message, got: " + f);
                out.add(m.group(2) + " " + m.group(3));
            }
            return out;
        }
    }

    Result check(String... args) throws Exception {
        Path checker = root.resolve("local/pslint/check.mjs");
        assertTrue(Files.isDirectory(root.resolve("local/pslint/node_modules/tree-sitter-powershell")),
                "npm ci in local/pslint installs the grammar (./mvnw -pl local generate-resources)");
        List<String> cmd = new ArrayList<>(List.of("node", "--no-deprecation", checker.toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("pslint", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
            List<String> findings = out.lines().filter(l -> !l.isBlank()).toList();
            return new Result(p.exitValue(), findings, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void everyScriptOfTheTemplatePassesEveryRule() throws Exception {
        Result r = check("template.yaml");
        assertEquals(List.of(), r.findings(), "template.yaml (DOCUMENT:LINE: RULE: what to do):\n" + String.join("\n", r.findings()) + "\n" + r.stderr());
        assertEquals(0, r.exit(), r.stderr());
    }

    /** The checker reads every script SSM would run, not just those it happens to find. */
    @Test
    void theCheckerReadsEveryPowerShellStepOfEverySsmDocument() throws Exception {
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(root.resolve("template.yaml"))).path("Resources");
        int scripts = 0;
        for (Map.Entry<String, JsonNode> e : resources.properties()) {
            if (!"AWS::SSM::Document".equals(e.getValue().path("Type").asText())) continue;
            for (JsonNode step : e.getValue().path("Properties").path("Content").path("mainSteps")) {
                if ("aws:runPowerShellScript".equals(step.path("action").asText())) scripts += step.path("inputs").path("runCommand").size();
            }
        }
        assertTrue(scripts >= 7, "template.yaml has the seven guest documents, found " + scripts + " scripts");
        Matcher m = CHECKED.matcher(check("template.yaml").stderr());
        assertTrue(m.find(), "the checker says how many scripts it read");
        assertEquals(scripts, Integer.parseInt(m.group(1)));
    }

    /** Each rule, on a script broken for it on purpose: the rule fires on the broken lines and no other rule fires. */
    @ParameterizedTest
    @ValueSource(strings = {"syntax", "powershell3", "exit-code", "sysnative", "aws-tools", "interpolation"})
    void eachRuleCatchesItsBrokenScript(String rule) throws Exception {
        Map<String, List<String>> expected = Map.of(
                // "$dir: ..." in a string (PowerShell reads $dir: as a qualified name), and an if { ... never closed
                "syntax", List.of("3 syntax", "5 syntax"),
                // [ordered], $PSItem, -in, Get-FileHash, .Where(), [IO.Compression.ZipFile], ConvertTo-Json
                "powershell3", List.of("2 powershell3", "3 powershell3", "4 powershell3", "5 powershell3", "6 powershell3",
                        "7 powershell3", "8 powershell3"),
                // dpinst's exit code printed, not checked; rundll32 started without -PassThru; pnputil checked (line 5)
                "exit-code", List.of("3 exit-code", "7 exit-code"),
                // a Sysnative path to powershell.exe
                "sysnative", List.of("3 sysnative"),
                // AWS Tools for PowerShell imported, Read-S3Object, Get-EC2Instance; the WebClient download passes
                "aws-tools", List.of("2 aws-tools", "3 aws-tools", "6 aws-tools"),
                // {{ }} outside the fallback (a string of its own, a double-quoted string, a comment, a fallback under another
                // name, bare braces), and $env:SSM_Sha256 read before its fallback; the fallbacks themselves and the reads
                // after them pass
                "interpolation", List.of("4 interpolation", "5 interpolation", "6 interpolation", "7 interpolation", "9 interpolation",
                        "10 interpolation"));
        Path script = root.resolve("local/src/test/resources/pslint/" + rule + ".ps1");
        Result r = check("--script", script.toString());
        assertEquals(expected.get(rule), r.linesAndRules(), String.join("\n", r.findings()));
        assertEquals(1, r.exit());
        assertEquals(new TreeSet<>(List.of(rule + ".ps1")),
                new TreeSet<>(r.findings().stream().map(f -> f.substring(0, f.indexOf(':'))).toList()), "findings name the script");
    }

    /** What the rules allow (MSI exit codes checked, $LASTEXITCODE after a call, PowerShell 2.0 forms) passes. */
    @Test
    void aScriptThatChecksEveryProgramAndKeepsToPowerShell2Passes() throws Exception {
        Result r = check("--script", root.resolve("local/src/test/resources/pslint/clean.ps1").toString());
        assertEquals(List.of(), r.findings());
        assertEquals(0, r.exit(), r.stderr());
    }

    /** The package steps and the check that follows the EC2Config update: AssessGuest refuses PowerShell below 3.0 before them. */
    static final Set<String> POWERSHELL3_DOCUMENTS = Set.of("InstallPvDriverDocument", "InstallEnaDriverDocument", "InstallNvmeDriverDocument",
            "UpdateLaunchAgentDocument", "CheckLaunchAgentUpdateDocument");

    /**
     * Only the documents that run after AssessGuest refused PowerShell below 3.0 may use PowerShell 3.0; CaptureGuestFacts runs
     * before the version is known, SetPowerManagement and RestoreNetworkConfig also on a guest that needs no package.
     */
    @Test
    void onlyDocumentsThatRunAfterThePowerShellRefusalAreExemptFromThePowerShell2Rule() throws Exception {
        Result listed = check("--powershell3-documents");
        assertEquals(0, listed.exit(), listed.stderr());
        assertEquals(POWERSHELL3_DOCUMENTS, Set.copyOf(listed.findings()));
        Map<String, String> scripts = new TreeMap<>();
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(root.resolve("template.yaml"))).path("Resources");
        for (Map.Entry<String, JsonNode> e : resources.properties()) {
            if (!"AWS::SSM::Document".equals(e.getValue().path("Type").asText())) continue;
            StringBuilder all = new StringBuilder();
            for (JsonNode step : e.getValue().path("Properties").path("Content").path("mainSteps")) {
                for (JsonNode command : step.path("inputs").path("runCommand")) all.append(command.asText()).append('\n');
            }
            scripts.put(e.getKey(), all.toString());
        }
        assertTrue(scripts.keySet().containsAll(POWERSHELL3_DOCUMENTS), "each exempt document is in template.yaml: " + scripts.keySet());
        assertTrue(scripts.containsKey("CaptureGuestFactsDocument"));
        // The exemption is what lets the package documents pass: alone, each is caught by the PowerShell 2.0 rule for its ZipFile.
        for (String document : List.of("InstallPvDriverDocument", "InstallEnaDriverDocument", "InstallNvmeDriverDocument", "UpdateLaunchAgentDocument")) {
            assertTrue(scripts.get(document).contains("[IO.Compression.ZipFile]::ExtractToDirectory($zip, $dir)"), document + " unpacks with ZipFile");
            Path alone = Files.createTempFile(document, ".ps1");
            try {
                Files.writeString(alone, scripts.get(document));
                Result r = check("--script", alone.toString());
                assertEquals(List.of("powershell3"), r.linesAndRules().stream().map(l -> l.split(" ")[1]).distinct().toList(),
                        document + ":\n" + String.join("\n", r.findings()));
            } finally {
                Files.deleteIfExists(alone);
            }
        }
    }

    /** In a template, the PowerShell 2.0 rule holds CaptureGuestFacts and not a package step; every other rule holds both. */
    @Test
    void thePowerShell2RuleCatchesCaptureGuestFactsButNotAPackageStepWhileTheOtherRulesHoldEveryScript() throws Exception {
        Path template = Files.createTempFile("template", ".yaml");
        String script = """
                                      $ErrorActionPreference = 'Stop'
                                      $facts = [ordered]@{ os = 'x' }
                                      Add-Type -AssemblyName System.IO.Compression.FileSystem
                                      [IO.Compression.ZipFile]::ExtractToDirectory($zip, $dir)
                                      dpinst.exe /S
                                      & "$env:SystemRoot\\sysnative\\cmd.exe" /c ver
                                      if ($LASTEXITCODE -ne 0) { exit 1 }
                                      Read-S3Object -BucketName b -Key k -File f
                                      if ($facts.os -eq 'x') {
                """;
        try {
            Files.writeString(template, "Resources:\n" + document("CaptureGuestFactsDocument", script) + document("InstallPvDriverDocument", script));
            Result r = check(template.toString());
            assertEquals(1, r.exit());
            List<String> rules = r.findings().stream().map(f -> f.substring(0, f.indexOf(": ", f.indexOf(": ") + 2))).toList();
            // The first document's script starts on line 13, the second's on line 33 (a header of 11 lines each, see document()).
            assertEquals(List.of(
                    "CaptureGuestFactsDocument:14: powershell3", "CaptureGuestFactsDocument:16: powershell3",
                    "CaptureGuestFactsDocument:17: exit-code", "CaptureGuestFactsDocument:18: sysnative",
                    "CaptureGuestFactsDocument:20: aws-tools", "CaptureGuestFactsDocument:21: syntax",
                    "InstallPvDriverDocument:37: exit-code", "InstallPvDriverDocument:38: sysnative",
                    "InstallPvDriverDocument:40: aws-tools", "InstallPvDriverDocument:41: syntax"),
                    rules,
                    String.join("\n", r.findings()));
        } finally {
            Files.deleteIfExists(template);
        }
    }

    /** One AWS::SSM::Document with one aws:runPowerShellScript step whose script is the block given, indented as in template.yaml. */
    static String document(String logicalId, String script) {
        return """
                  %s:
                    Type: AWS::SSM::Document
                    Properties:
                      Name: !Sub "${AWS::StackName}-%s"
                      Content:
                        mainSteps:
                          - action: aws:runPowerShellScript
                            name: Step
                            inputs:
                              runCommand:
                                - |
                %s""".formatted(logicalId, logicalId.replace("Document", ""), script);
    }

    /**
     * In a template, a fallback copies into SSM_NAME only a parameter the document declares with interpolationType
     * ENV_VAR; for any other, no agent sets the variable and the value would only ever be in the script's text.
     */
    @Test
    void aFallbackNeedsItsParameterDeclaredWithInterpolationTypeEnvVar() throws Exception {
        Path template = Files.createTempFile("template", ".yaml");
        try {
            Files.writeString(template, """
                    Resources:
                      RestoreNetworkConfigDocument:
                        Type: AWS::SSM::Document
                        Properties:
                          Content:
                            parameters:
                              Adapters: { type: String, interpolationType: ENV_VAR, allowedPattern: "^[0-9A-F:/+.,-]+$" }
                              Gateway: { type: String, allowedPattern: "^[0-9.]+$" }
                            mainSteps:
                              - action: aws:runPowerShellScript
                                name: RestoreNetworkConfig
                                inputs:
                                  runCommand:
                                    - |
                                      $ErrorActionPreference = 'Stop'
                                      if (-not (Test-Path env:SSM_Adapters)) { $env:SSM_Adapters = '{{ Adapters }}' }
                                      if (-not (Test-Path env:SSM_Gateway)) { $env:SSM_Gateway = '{{ Gateway }}' }
                                      if (-not (Test-Path env:SSM_Dns)) { $env:SSM_Dns = '{{ Dns }}' }
                                      "$env:SSM_Adapters $env:SSM_Gateway $env:SSM_Dns"
                    """);
            Result r = check(template.toString());
            assertEquals(List.of("RestoreNetworkConfigDocument:17: interpolation", "RestoreNetworkConfigDocument:18: interpolation"),
                    r.findings().stream().map(f -> f.substring(0, f.indexOf(": ", f.indexOf(": ") + 2))).toList(), String.join("\n", r.findings()));
            assertTrue(r.findings().get(0).contains("Gateway is not declared with interpolationType: ENV_VAR"), r.findings().get(0));
            assertTrue(r.findings().get(1).contains("declares no parameter Dns"), r.findings().get(1));
            assertEquals(1, r.exit());
        } finally {
            Files.deleteIfExists(template);
        }
    }

    @Test
    void findingsNameTheDocumentAndItsLineInTheTemplate() throws Exception {
        Path broken = Files.createTempFile("template", ".yaml");
        try {
            Files.writeString(broken, """
                    Resources:
                      Topic:
                        Type: AWS::SNS::Topic
                        Properties:
                          TopicName: !Sub "${AWS::StackName}-x"
                      InstallEnaDriverDocument:
                        Type: AWS::SSM::Document
                        Properties:
                          Name: !Sub "${AWS::StackName}-InstallEnaDriver"
                          Content:
                            mainSteps:
                              - action: aws:runPowerShellScript
                                name: InstallEnaDriver
                                inputs:
                                  runCommand:
                                    - |
                                      $ErrorActionPreference = 'Stop'
                                      & "$env:SystemRoot\\sysnative\\WindowsPowerShell\\v1.0\\powershell.exe" -File install.ps1
                    """);
            Result r = check(broken.toString());
            assertEquals(List.of(
                    "InstallEnaDriverDocument:18: exit-code",
                    "InstallEnaDriverDocument:18: sysnative"),
                    r.findings().stream().map(f -> f.substring(0, f.indexOf(": ", f.indexOf(": ") + 2))).toList());
            assertEquals(1, r.exit());
        } finally {
            Files.deleteIfExists(broken);
        }
    }
}
