package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.ssm.model.*;

/** The slice of SSM the functions use: managed-node information, Run Command and our own documents. */
public final class SsmApi {
    private final Cloud cloud;

    public SsmApi(Cloud cloud) {
        this.cloud = cloud;
    }

    public DescribeInstanceInformationResponse describeInstanceInformation(DescribeInstanceInformationRequest r) {
        long now = System.currentTimeMillis();
        List<String> wanted = new ArrayList<>();
        r.instanceInformationFilterList().stream().filter(f -> "InstanceIds".equals(f.keyAsString()))
                .forEach(f -> wanted.addAll(f.valueSet()));
        r.filters().stream().filter(f -> "InstanceIds".equals(f.key())).forEach(f -> wanted.addAll(f.values()));
        List<InstanceInformation> out = new ArrayList<>();
        for (Cloud.Instance i : cloud.instances.values()) {
            if (i.guest == null || (!wanted.isEmpty() && !wanted.contains(i.id))) continue;
            boolean online = cloud.commands.online(i, now);
            if (online) i.ssmRegistered = true;
            // A node that never reached SSM is not listed; one that did and is gone is ConnectionLost.
            if (!online && !i.ssmRegistered) continue;
            out.add(InstanceInformation.builder().instanceId(i.id).pingStatus(online ? "Online" : "ConnectionLost")
                    .platformType("Windows").platformName("Microsoft Windows Server " + i.guest.os)
                    .agentVersion(i.guest.ssmAgentVersion).ipAddress(i.privateIpAddress)
                    .lastPingDateTime(Instant.now()).resourceType("EC2Instance").build());
        }
        return DescribeInstanceInformationResponse.builder().instanceInformationList(out).build();
    }

    public SendCommandResponse sendCommand(SendCommandRequest r) {
        // Comment: "Length Constraints: Maximum length of 100" (SendCommand API reference); the service validates the
        // request's shape before anything else.
        if (r.comment() != null && r.comment().length() > 100) {
            throw new AwsError("ValidationException", "1 validation error detected: Value '" + r.comment()
                    + "' at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100");
        }
        String doc = r.documentName();
        boolean ours = Commands.Step.ofDocument(doc).isPresent();
        if (!doc.startsWith("AWS-") && !cloud.commands.documents.containsKey(doc) && !ours) {
            throw new AwsError("InvalidDocument", "Document " + doc + " does not exist in your account");
        }
        Map<String, List<String>> given = r.hasParameters() ? r.parameters() : Map.of();
        Commands.Document registered = cloud.commands.documents.get(doc);
        String content = null;
        int version = 0;
        if (registered != null) {
            // World fault "DocumentUpdated": the document gets a new default version just before this call, as when the
            // stack is updated between a function's DescribeDocument and its SendCommand.
            if (cloud.takeFault("ssm", "SendCommand:DocumentUpdated") != null) {
                registered.replaceDefault(updated(registered.content()));
            }
            version = registered.resolve(r.documentVersion());
            if (version == 0) {
                throw new AwsError("InvalidDocumentVersion", "Document " + doc + " has no version " + r.documentVersion());
            }
            content = registered.versions.get(version - 1);
            checkHash(r, content);
            checkParameters(registered, content, given);
        } else if (r.documentHash() != null) {
            throw new AwsError("InvalidDocument", "Document " + doc + " does not exist in your account");
        }
        long now = System.currentTimeMillis();
        List<Cloud.Instance> targets = new ArrayList<>();
        for (String id : r.instanceIds()) {
            Cloud.Instance i = cloud.instances.get(id);
            // SendCommand to a node that is not online: InvalidInstanceId (SSM API reference).
            if (i == null || !cloud.commands.online(i, now)) {
                throw new AwsError("InvalidInstanceId", "Instances [[" + id + "]] not in a valid state for account " + cloud.accountId);
            }
            targets.add(i);
        }
        String commandId = UUID.randomUUID().toString();
        Map<String, List<String>> params = r.hasParameters() ? r.parameters() : Map.of();
        String delivered = content;
        String deliveredVersion = version == 0 ? null : String.valueOf(version);
        targets.forEach(i -> cloud.commands.start(commandId, i, doc, r.comment(), params, deliveredVersion, delivered));
        return SendCommandResponse.builder().command(Command.builder().commandId(commandId).documentName(doc)
                .instanceIds(r.instanceIds()).parameters(params).status("Pending").comment(r.comment())
                .requestedDateTime(Instant.now()).targetCount(targets.size()).build()).build();
    }

    /**
     * A DocumentHash that is not the hash of the version the command would run is refused, and nothing is sent: the
     * answer is InvalidDocument, "document hash HASH does not match Sha256." (the error SSM returned when a maintenance
     * window's stored hash no longer matched AWS-RunPatchBaseline, aws-samples/aws-security-reference-architecture-examples
     * issue 301). DocumentHashType is Sha256 or Sha1 (SendCommand API reference); Sha256 when not given.
     */
    private static void checkHash(SendCommandRequest r, String content) {
        if (r.documentHash() == null) return;
        String type = r.documentHashTypeAsString() == null ? "Sha256" : r.documentHashTypeAsString();
        String actual = switch (type) {
            case "Sha256" -> Commands.Document.sha256(content);
            case "Sha1" -> Commands.Document.sha1(content);
            default -> throw new AwsError("ValidationException", "1 validation error detected: Value '" + type
                    + "' at 'documentHashType' failed to satisfy constraint: Member must satisfy enum value set: [Sha1, Sha256]");
        };
        if (!actual.equals(r.documentHash())) {
            throw new AwsError("InvalidDocument", "document hash " + r.documentHash() + " does not match " + type + ".");
        }
    }

    /** What a stack update might make of a document: the same steps, another description. */
    private static String updated(String content) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(content);
            doc.put("description", doc.path("description").asText() + " (updated)");
            return json.writeValueAsString(doc);
        } catch (java.io.IOException | ClassCastException e) {
            return content + "\n";
        }
    }

    /**
     * SSM checks a command's parameters against its document before it sends anything: a parameter the
     * document does not declare, a required one (no default) that is missing, or a value that does not match
     * the parameter's {@code allowedPattern}, or is not one of its {@code allowedValues}, is refused with
     * InvalidParameters (SSM API reference, SendCommand errors; "Data elements and parameters": "allowedPattern: The
     * value must match the regular expression"; allowedValues, the array of the values allowed). The
     * pattern is read as a Java regular expression found anywhere in the value (so ^ and $ anchor it, and $ also
     * matches before a final line break): AWS does not say which engine it uses, and this is the lenient reading, so a
     * value refused here is refused by any stricter one. The message text is this emulator's own.
     */
    private static void checkParameters(Commands.Document d, String content, Map<String, List<String>> given) {
        com.fasterxml.jackson.databind.JsonNode declared;
        try {
            // Documents are kept as JSON here (the local cloud creates the stack's documents in that form).
            declared = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content).path("parameters");
        } catch (java.io.IOException e) {
            return;
        }
        for (String name : given.keySet()) {
            if (!declared.has(name)) {
                throw new AwsError("InvalidParameters", "Parameter \"" + name + "\" is not declared by document " + d.name);
            }
        }
        for (java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = declared.fields(); it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> p = it.next();
            List<String> values = given.get(p.getKey());
            if (values == null) {
                if (!p.getValue().has("default")) {
                    throw new AwsError("InvalidParameters", "Parameter \"" + p.getKey() + "\" is required by document " + d.name);
                }
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode allowed = p.getValue().path("allowedValues");
            if (allowed.isArray()) {
                List<String> permitted = new ArrayList<>();
                allowed.forEach(a -> permitted.add(a.asText()));
                for (String v : values) {
                    if (!permitted.contains(v)) {
                        throw new AwsError("InvalidParameters", "Parameter \"" + p.getKey() + "\" value \"" + v
                                + "\" failed to satisfy constraint: allowedValues " + permitted);
                    }
                }
            }
            String pattern = p.getValue().path("allowedPattern").asText(null);
            if (pattern == null) continue;
            for (String v : values) {
                if (!java.util.regex.Pattern.compile(pattern).matcher(v).find()) {
                    throw new AwsError("InvalidParameters", "Parameter \"" + p.getKey() + "\" value \"" + v
                            + "\" failed to satisfy constraint: allowedPattern " + pattern);
                }
            }
        }
    }

    private Commands.Invocation invocation(String commandId, String instanceId) {
        Commands.Invocation inv = cloud.commands.invocations.get(commandId + "/" + instanceId);
        if (inv == null) {
            throw new AwsError("InvocationDoesNotExist", "An invocation of command " + commandId + " on " + instanceId + " does not exist");
        }
        return inv;
    }

    public GetCommandInvocationResponse getCommandInvocation(GetCommandInvocationRequest r) {
        Commands.Invocation inv = invocation(r.commandId(), r.instanceId());
        return GetCommandInvocationResponse.builder().commandId(inv.commandId).instanceId(inv.instanceId)
                .documentName(inv.documentName).status(inv.status).statusDetails(inv.status)
                .responseCode(inv.responseCode).standardOutputContent(inv.output).standardErrorContent(inv.error)
                .executionStartDateTime(inv.requested.toString())
                .executionEndDateTime(inv.finished == null ? null : inv.finished.toString()).build();
    }

    public ListCommandInvocationsResponse listCommandInvocations(ListCommandInvocationsRequest r) {
        List<CommandInvocation> out = new ArrayList<>();
        for (Commands.Invocation inv : cloud.commands.invocations.values()) {
            if (r.commandId() != null && !r.commandId().equals(inv.commandId)) continue;
            if (r.instanceId() != null && !r.instanceId().equals(inv.instanceId)) continue;
            var b = CommandInvocation.builder().commandId(inv.commandId).instanceId(inv.instanceId)
                    .documentName(inv.documentName).comment(inv.comment).status(inv.status).statusDetails(inv.status)
                    .requestedDateTime(inv.requested);
            if (Boolean.TRUE.equals(r.details())) {
                b.commandPlugins(CommandPlugin.builder().name("aws:runPowerShellScript").status(inv.status)
                        .responseCode(inv.responseCode).output(inv.output + inv.error).build());
            }
            out.add(b.build());
        }
        return ListCommandInvocationsResponse.builder().commandInvocations(out).build();
    }

    /**
     * CancelCommand: an invocation that has not ended is Cancelled before its effect in the guest (the guest model
     * applies a command's effect at once when it runs, so a cancel that lands first prevents all of it). SSM does not
     * promise even that ("There is no guarantee that the command will be terminated", CancelCommand API reference);
     * the workflow treats a cancelled step as not completed.
     */
    public CancelCommandResponse cancelCommand(CancelCommandRequest r) {
        boolean found = false;
        synchronized (cloud) {
            for (Commands.Invocation inv : cloud.commands.invocations.values()) {
                if (!inv.commandId.equals(r.commandId())) continue;
                if (r.hasInstanceIds() && !r.instanceIds().isEmpty() && !r.instanceIds().contains(inv.instanceId)) continue;
                found = true;
                if ("InProgress".equals(inv.status) || "Pending".equals(inv.status) || "Delayed".equals(inv.status)) {
                    inv.status = "Cancelled";
                    inv.finished = java.time.Instant.now();
                }
            }
        }
        if (!found) {
            throw new dev.xen2nitro.local.wire.AwsError("InvalidCommandId", "Command ID " + r.commandId() + " is not valid");
        }
        return CancelCommandResponse.builder().build();
    }

    public CreateDocumentResponse createDocument(CreateDocumentRequest r) {
        if (cloud.commands.documents.containsKey(r.name())) {
            throw new AwsError("DocumentAlreadyExists", "Document with same name " + r.name() + " already exists");
        }
        Commands.Document d = new Commands.Document(r.name(), r.content());
        if (r.documentTypeAsString() != null) d.documentType = r.documentTypeAsString();
        if (r.documentFormatAsString() != null) d.documentFormat = r.documentFormatAsString();
        cloud.commands.documents.put(d.name, d);
        return CreateDocumentResponse.builder().documentDescription(description(d, 1)).build();
    }

    private Commands.Document document(String name) {
        Commands.Document d = cloud.commands.documents.get(name);
        if (d == null) {
            throw new AwsError("InvalidDocument", "Document " + name + " does not exist in your account");
        }
        return d;
    }

    private static int version(Commands.Document d, String documentVersion) {
        int v = d.resolve(documentVersion);
        if (v == 0) {
            throw new AwsError("InvalidDocumentVersion", "Document " + d.name + " has no version " + documentVersion);
        }
        return v;
    }

    public GetDocumentResponse getDocument(GetDocumentRequest r) {
        Commands.Document d = document(r.name());
        int v = version(d, r.documentVersion());
        return GetDocumentResponse.builder().name(d.name).content(d.versions.get(v - 1)).documentType(d.documentType)
                .documentFormat(d.documentFormat).documentVersion(String.valueOf(v)).status("Active").createdDate(d.created).build();
    }

    /**
     * The version asked for, or the default one: its Hash and HashType Sha256, which SendCommand's DocumentHash and
     * DocumentHashType are checked against, its parameters as the document declares them, and the default and latest
     * version numbers (SSM API Reference, DescribeDocument, DocumentDescription).
     */
    public DescribeDocumentResponse describeDocument(DescribeDocumentRequest r) {
        Commands.Document d = document(r.name());
        return DescribeDocumentResponse.builder().document(description(d, version(d, r.documentVersion()))).build();
    }

    /**
     * A new version with new content; the default version stays until UpdateDocumentDefaultVersion names another.
     * Only the latest version can be updated, and content equal to it is refused (SSM API Reference, UpdateDocument:
     * DocumentVersion "Currently, Systems Manager supports updating only the latest version of the document";
     * DuplicateDocumentContent).
     */
    public UpdateDocumentResponse updateDocument(UpdateDocumentRequest r) {
        Commands.Document d = document(r.name());
        if (r.documentVersion() != null && d.resolve(r.documentVersion()) != d.versions.size()) {
            throw new AwsError("InvalidDocumentVersion", "Only the latest version of " + d.name + " (" + d.versions.size() + ") can be updated");
        }
        if (d.versions.get(d.versions.size() - 1).equals(r.content())) {
            throw new AwsError("DuplicateDocumentContent", "The content of the document matches the latest version of " + d.name);
        }
        d.versions.add(r.content());
        return UpdateDocumentResponse.builder().documentDescription(description(d, d.versions.size())).build();
    }

    public UpdateDocumentDefaultVersionResponse updateDocumentDefaultVersion(UpdateDocumentDefaultVersionRequest r) {
        Commands.Document d = document(r.name());
        d.defaultVersion = version(d, r.documentVersion());
        return UpdateDocumentDefaultVersionResponse.builder().description(DocumentDefaultVersionDescription.builder()
                .name(d.name).defaultVersion(String.valueOf(d.defaultVersion)).build()).build();
    }

    private static DocumentDescription description(Commands.Document d, int version) {
        String content = d.versions.get(version - 1);
        DocumentDescription.Builder b = DocumentDescription.builder().name(d.name).documentVersion(String.valueOf(version))
                .defaultVersion(String.valueOf(d.defaultVersion)).latestVersion(String.valueOf(d.versions.size()))
                .hash(Commands.Document.sha256(content)).hashType(DocumentHashType.SHA256)
                .documentType(d.documentType).documentFormat(d.documentFormat).status("Active").createdDate(d.created);
        try {
            com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
            if (doc.hasNonNull("schemaVersion")) b.schemaVersion(doc.get("schemaVersion").asText());
            if (doc.hasNonNull("description")) b.description(doc.get("description").asText());
            List<DocumentParameter> parameters = new ArrayList<>();
            doc.path("parameters").properties().forEach(p -> parameters.add(DocumentParameter.builder().name(p.getKey())
                    .type(p.getValue().path("type").asText(null)).description(p.getValue().path("description").asText(null))
                    .defaultValue(p.getValue().has("default") ? p.getValue().get("default").asText() : null).build()));
            b.parameters(parameters);
        } catch (java.io.IOException e) {
            // A YAML document's parameters are not read here; its hash is.
        }
        return b.build();
    }
}
