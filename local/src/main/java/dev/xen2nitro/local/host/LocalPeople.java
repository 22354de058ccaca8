package dev.xen2nitro.local.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xen2nitro.local.iam.Policy;
import dev.xen2nitro.local.iam.Principal;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The people of the local account: IAM users with access keys the local cloud knows the secrets of, as IAM knows its
 * users' keys, so that it can check what they sign. The local stack names alice and bob as its approvers
 * (ApproverArns); operator starts migrations and may call the approval URL, but is named nowhere; nobody may do
 * nothing. Each user's policy lets it call the approval function's URL, which since October 2025 takes
 * lambda:InvokeFunctionUrl and lambda:InvokeFunction (Lambda Developer Guide, "Control access to Lambda function URLs").
 */
public final class LocalPeople {
    private LocalPeople() {}

    /** One person: a user name, the access key and secret of its credentials. */
    public record Person(String name, String accessKeyId, String secretAccessKey, boolean mayCallTheApprovalUrl) {
        public String arn(String accountId) {
            return "arn:aws:iam::" + accountId + ":user/" + name;
        }
    }

    public static final Person ALICE = new Person("alice", "AKIALOCALALICE000001", "local-secret-alice", true);
    public static final Person BOB = new Person("bob", "AKIALOCALBOB00000001", "local-secret-bob", true);
    public static final Person OPERATOR = new Person("operator", "AKIALOCALOPERATOR001", "local-secret-operator", true);
    public static final Person NOBODY = new Person("nobody", "AKIALOCALNOBODY00001", "local-secret-nobody", false);

    public static final List<Person> ALL = List.of(ALICE, BOB, OPERATOR, NOBODY);

    /** The approvers the local stack is deployed with: its ApproverArns. */
    public static String approverArns(String accountId) {
        return ALICE.arn(accountId) + "," + BOB.arn(accountId);
    }

    public static Person byName(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the local account has no user " + name + "; it has "
                        + ALL.stream().map(Person::name).toList()));
    }

    /** The person whose access key this is, or null. */
    public static Person byAccessKey(String accessKeyId) {
        return ALL.stream().filter(p -> p.accessKeyId().equals(accessKeyId)).findFirst().orElse(null);
    }

    /** The user as IAM authorizes it: its ARN and its identity-based policy. */
    public static Principal principal(Person p, String region, String accountId) {
        if (!p.mayCallTheApprovalUrl()) {
            return Principal.user(accountId, p.name(), List.of());
        }
        String function = "arn:aws:lambda:" + region + ":" + accountId + ":function:AnswerApprovalFunction";
        String resources = "[\"" + function + "\",\"" + function + ":*\"]";
        String doc = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunctionUrl\",\"Resource\":" + resources
                + ",\"Condition\":{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"AWS_IAM\"}}},"
                + "{\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunction\",\"Resource\":" + resources
                + ",\"Condition\":{\"Bool\":{\"lambda:InvokedViaFunctionUrl\":\"true\"}}}]}";
        try {
            return Principal.user(accountId, p.name(), List.of(Policy.read("user/" + p.name(), new ObjectMapper().readTree(doc))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The secret of each person's access key, by key. */
    public static Map<String, String> secrets() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        ALL.forEach(p -> out.put(p.accessKeyId(), p.secretAccessKey()));
        return out;
    }
}
