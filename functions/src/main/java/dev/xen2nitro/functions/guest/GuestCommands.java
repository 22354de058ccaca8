package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ssm.model.DocumentDescription;
import software.amazon.awssdk.services.ssm.model.DocumentHashType;

/**
 * Sends the SSM command document of a {@link GuestStep} to the
 * instance. Run Command runs it in the guest; the state machine polls with {@link CheckGuestCommand}.
 */
public final class GuestCommands {
    private GuestCommands() {}

    /**
     * Sends the step's document once per execution: a retried invocation (say, after a Lambda timeout
     * that came after SendCommand) finds the command by its comment and returns it instead of running
     * the step twice; a PV install that is rebooting the guest could not even be sent again.
     */
    static String send(String instanceId, String execution, GuestStep step, Map<String, List<String>> parameters) {
        return send(instanceId, execution, step, parameters, "");
    }

    /** SSM limits a command's comment to 100 characters (SendCommand API reference, Comment). */
    static final int COMMENT_LIMIT = 100;

    /**
     * The comment that finds a step's command again: the step, the label, a digest of the execution's ARN (so that
     * no two executions share it, however long their names), then as much of the execution's name as fits, for
     * an operator reading the command history. Steps and labels are short enough that nothing before the name is
     * ever cut, so no two sends of one execution share a comment either.
     */
    static String comment(GuestStep step, String execution, String label) {
        String base = "xen2nitro " + step + (label.isEmpty() ? "" : " " + label) + " " + Executions.digest(execution);
        if (base.length() > COMMENT_LIMIT - 2) {
            throw new IllegalArgumentException("the label " + label + " leaves no room for the execution in a command's comment");
        }
        String named = base + " " + Executions.name(execution);
        return named.length() <= COMMENT_LIMIT ? named : named.substring(0, COMMENT_LIMIT);
    }

    /** Whether a command with this comment was sent by {@code execution} (for any step or label). */
    public static boolean sentBy(String comment, String execution) {
        return comment != null && comment.startsWith("xen2nitro ") && comment.contains(" " + Executions.digest(execution) + " ");
    }

    /** As {@link #send(String, String, GuestStep, Map)}, once per execution and {@code label} (a step sent repeatedly names each send). */
    static String send(String instanceId, String execution, GuestStep step, Map<String, List<String>> parameters, String label) {
        DocumentParameters.check(step, parameters);
        String document = step.document();
        String comment = comment(step, execution, label);
        String existing = AwsCalls.call("ListCommandInvocations " + instanceId, () -> Aws.ssm()
                .listCommandInvocationsPaginator(r -> r.instanceId(instanceId)).commandInvocations().stream()
                .filter(c -> document.equals(c.documentName()) && comment.equals(c.comment()))
                .map(c -> c.commandId()).findFirst().orElse(null));
        if (existing != null) {
            return existing;
        }
        String hash = expectedHash(document);
        return AwsCalls.call("SendCommand " + document + " to " + instanceId, () -> Aws.ssm().sendCommand(r -> r
                .instanceIds(instanceId).documentName(document).parameters(parameters)
                .documentHash(hash).documentHashType(DocumentHashType.SHA256)
                .comment(comment).timeoutSeconds(GuestStep.DELIVERY_TIMEOUT_SECONDS))).command().commandId();
    }

    /**
     * The SHA-256 of the version of the stack's document that SendCommand is about to run, its default version: the
     * Hash that DescribeDocument gives with HashType Sha256 (SSM API Reference, DescribeDocument, DocumentDescription).
     * SendCommand is sent with it as DocumentHash and no DocumentVersion, so that SSM runs the default version only if
     * it is still the one read here: a document changed in between (a stack update racing a migration) is refused with
     * InvalidDocument, "document hash ... does not match Sha256.", and nothing runs in the guest.
     */
    static String expectedHash(String document) {
        DocumentDescription d = AwsCalls.call("DescribeDocument " + document, () -> Aws.ssm().describeDocument(r -> r.name(document))).document();
        if (d.hashType() != DocumentHashType.SHA256 || d.hash() == null || !d.hash().matches("[0-9a-f]{64}")) {
            throw new AwsActionFailedException("DescribeDocument " + document + " gave no SHA-256 hash (HashType " + d.hashTypeAsString()
                    + "): the document cannot be pinned, so nothing was sent; check the stack's SSM documents", null);
        }
        return d.hash();
    }
}
