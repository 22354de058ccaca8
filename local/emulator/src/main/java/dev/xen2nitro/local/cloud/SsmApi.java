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
        if (registered != null) {
            checkParameters(registered, given);
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
        targets.forEach(i -> cloud.commands.start(commandId, i, doc, r.comment(), params));
        return SendCommandResponse.builder().command(Command.builder().commandId(commandId).documentName(doc)
                .instanceIds(r.instanceIds()).parameters(params).status("Pending").comment(r.comment())
                .requestedDateTime(Instant.now()).targetCount(targets.size()).build()).build();
    }

    /**
     * SSM checks a command's parameters against its document before it sends anything: a parameter the
     * document does not declare, a required one (no default) that is missing, or a value that does not match
     * the parameter's {@code allowedPattern} is refused with InvalidParameters (SSM API reference, SendCommand
     * errors; "SSM document syntax", parameters: "allowedPattern: The value must match the regular
     * expression"). The message text is this emulator's own.
     */
    private static void checkParameters(Commands.Document d, Map<String, List<String>> given) {
        com.fasterxml.jackson.databind.JsonNode declared;
        try {
            // Documents are kept as JSON here (the local cloud creates the stack's documents in that form).
            declared = new com.fasterxml.jackson.databind.ObjectMapper().readTree(d.content).path("parameters");
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
        Commands.Document d = new Commands.Document();
        d.name = r.name();
        d.content = r.content();
        if (r.documentTypeAsString() != null) d.documentType = r.documentTypeAsString();
        if (r.documentFormatAsString() != null) d.documentFormat = r.documentFormatAsString();
        cloud.commands.documents.put(d.name, d);
        return CreateDocumentResponse.builder().documentDescription(DocumentDescription.builder().name(d.name)
                .documentType(d.documentType).documentFormat(d.documentFormat).status("Active").createdDate(d.created).build()).build();
    }

    public GetDocumentResponse getDocument(GetDocumentRequest r) {
        Commands.Document d = cloud.commands.documents.get(r.name());
        if (d == null) {
            throw new AwsError("InvalidDocument", "Document " + r.name() + " does not exist in your account");
        }
        return GetDocumentResponse.builder().name(d.name).content(d.content).documentType(d.documentType)
                .documentFormat(d.documentFormat).status("Active").createdDate(d.created).build();
    }
}
