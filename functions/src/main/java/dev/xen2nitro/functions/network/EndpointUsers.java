package dev.xen2nitro.functions.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsActionFailedException;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Who uses the temporary endpoints of each VPC, and the short lock that keeps their changes apart: SSM parameters under
 * the stack's path (ENDPOINT_USERS, {@code /STACK/endpoints/}), read with GetParametersByPath.
 * <ul>
 *   <li>{@code /STACK/endpoints/VPC/users/DIGEST}: one user, the JSON of {@link EndpointSharing.User}, named by the digest
 *       of its execution's ARN ({@link Executions#digest}).</li>
 *   <li>{@code /STACK/endpoints/VPC/lock}: held while an execution registers and creates, or releases and deletes, for
 *       that VPC. PutParameter without Overwrite creates it only when it does not exist (SSM API Reference, PutParameter:
 *       ParameterAlreadyExists "The parameter already exists. You can't create duplicate parameters."), which makes the
 *       taking atomic; a held lock is {@link EndpointsBusyException}, which the state machine retries with backoff.</li>
 * </ul>
 * A lock older than {@link EndpointSharing#LOCK_EXPIRY} was left by an invocation that Lambda stopped, and is taken
 * over: deleted, then taken as above. What remains racy: two executions that find the same expired lock at the same
 * moment may both delete it, and the second deletion can remove the lock the first has just taken, so both hold it.
 * That needs an invocation to have died holding the lock and two others to arrive within the same second after it
 * expired; SSM has no conditional delete to close it. Anyone allowed ssm:PutParameter or ssm:DeleteParameter on the
 * path can also add or remove users: that keeps endpoints longer, or deletes them under a migration, whose agent then
 * goes offline and whose migration fails and rolls back; grant those actions on the path to this stack only.
 */
final class EndpointUsers {
    private EndpointUsers() {}

    /** The stack's path of endpoint users, ending with a slash. */
    static String root() {
        String root = Aws.setting("ENDPOINT_USERS");
        return root.endsWith("/") ? root : root + "/";
    }

    /** Where the users of {@code vpcId} are registered; the value of the temporary resources' {@code xen2nitro:endpoint-users} tag. */
    static String vpcPath(String vpcId) {
        return root() + vpcId + "/";
    }

    private static String usersPath(String vpcId) {
        return vpcPath(vpcId) + "users";
    }

    private static String userName(String vpcId, String execution) {
        return usersPath(vpcId) + "/" + Executions.digest(execution);
    }

    /** The stack's name: the first level of the path, which names its temporary security groups. */
    static String stackName() {
        String r = root().substring(1);
        return r.substring(0, r.indexOf('/'));
    }

    /** A held lock; closing it deletes it if it is still this holder's. */
    static final class Lock implements AutoCloseable {
        private final String name, value;

        private Lock(String name, String value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public void close() {
            Parameter held = get(name);
            if (held != null && value.equals(held.value())) {
                delete(name);
            }
        }
    }

    /** Takes the lock of {@code vpcId} for {@code execution}, or throws {@link EndpointsBusyException}. */
    static Lock lock(String vpcId, String execution) {
        String name = vpcPath(vpcId) + "lock";
        // Unique to this invocation: a later invocation of the same execution does not release what an earlier one holds.
        String value = execution + " " + UUID.randomUUID();
        if (create(name, value)) {
            return new Lock(name, value);
        }
        Parameter held = get(name);
        if (held == null) {
            if (create(name, value)) {
                return new Lock(name, value);
            }
            throw busy(vpcId, null);
        }
        if (EndpointSharing.lockExpired(held.lastModifiedDate(), Instant.now())) {
            delete(name);
            if (create(name, value)) {
                return new Lock(name, value);
            }
        }
        throw busy(vpcId, held);
    }

    private static EndpointsBusyException busy(String vpcId, Parameter held) {
        String holder = held == null || held.value() == null ? "another execution" : held.value().split(" ")[0];
        return new EndpointsBusyException("the temporary endpoints of " + vpcId + " are being changed by " + holder
                + (held == null ? "" : " (since " + held.lastModifiedDate() + ")") + "; trying again shortly");
    }

    /** PutParameter without Overwrite: true when created, false when it exists. */
    private static boolean create(String name, String value) {
        try {
            AwsCalls.call("PutParameter " + name, () -> Aws.ssm().putParameter(r -> r.name(name).value(value).type(ParameterType.STRING)
                    .overwrite(false).description("xen2nitro: held while the temporary endpoints of a VPC change")));
            return true;
        } catch (AwsActionFailedException e) {
            if (e.getCause() instanceof ParameterAlreadyExistsException) {
                return false;
            }
            throw e;
        }
    }

    private static Parameter get(String name) {
        try {
            return AwsCalls.call("GetParameter " + name, () -> Aws.ssm().getParameter(r -> r.name(name))).parameter();
        } catch (AwsActionFailedException e) {
            if (e.getCause() instanceof ParameterNotFoundException) {
                return null;
            }
            throw e;
        }
    }

    /** DeleteParameter; false when there was none. */
    private static boolean delete(String name) {
        try {
            AwsCalls.call("DeleteParameter " + name, () -> Aws.ssm().deleteParameter(r -> r.name(name)));
            return true;
        } catch (AwsActionFailedException e) {
            if (e.getCause() instanceof ParameterNotFoundException) {
                return false;
            }
            throw e;
        }
    }

    /** Registers {@code user} for {@code vpcId} (again: a retried call writes the same record). */
    static void register(String vpcId, EndpointSharing.User user) {
        String name = userName(vpcId, user.execution());
        String value;
        try {
            value = JsonHandler.JSON.writeValueAsString(user);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        AwsCalls.call("PutParameter " + name, () -> Aws.ssm().putParameter(r -> r.name(name).value(value).type(ParameterType.STRING)
                .overwrite(true).description("xen2nitro: a migration that relies on the temporary endpoints of " + vpcId)));
    }

    /** Removes the user {@code execution} of {@code vpcId}; false when it was not registered. */
    static boolean remove(String vpcId, String execution) {
        return delete(userName(vpcId, execution));
    }

    /**
     * The registered users of {@code vpcId}. A record that is not a user's JSON still counts, as a user of unknown execution:
     * it keeps the endpoints rather than have them deleted under someone.
     */
    static List<EndpointSharing.User> users(String vpcId) {
        List<EndpointSharing.User> out = new ArrayList<>();
        for (Parameter p : byPath(usersPath(vpcId), false)) {
            try {
                out.add(JsonHandler.JSON.readValue(p.value(), EndpointSharing.User.class));
            } catch (JsonProcessingException notOurs) {
                out.add(new EndpointSharing.User(null, null, null, null, List.of()));
            }
        }
        return out;
    }

    /** The VPC whose users {@code execution} is registered among, or null. */
    static String vpcOf(String execution) {
        String suffix = "/users/" + Executions.digest(execution);
        String root = root();
        for (Parameter p : byPath(root.substring(0, root.length() - 1), true)) {
            if (p.name().endsWith(suffix)) {
                String rest = p.name().substring(root.length());
                return rest.substring(0, rest.indexOf('/'));
            }
        }
        return null;
    }

    private static List<Parameter> byPath(String path, boolean recursive) {
        List<Parameter> out = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page = AwsCalls.call("GetParametersByPath " + path, () -> Aws.ssm().getParametersByPath(r -> r.path(path)
                    .recursive(recursive).nextToken(next)));
            out.addAll(page.parameters());
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return out;
    }
}
