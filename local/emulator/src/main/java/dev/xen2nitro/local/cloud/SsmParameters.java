package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.DeleteParameterResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;

/**
 * The slice of SSM Parameter Store the functions use: PutParameter, GetParameter, GetParametersByPath and DeleteParameter, with the
 * standard and advanced tiers and Intelligent-Tiering (SSM API Reference, each action; "Creating Systems Manager
 * parameters" for the rules on names; "Managing parameter tiers" for the sizes). A
 * SecureString is kept as given and shown only to GetParameter WithDecryption: its encryption with the AWS managed key
 * aws/ssm is not modelled (KMS lets the account's principals use that key through SSM, so it needs no grant).
 */
public final class SsmParameters {
    private final Cloud cloud;

    public SsmParameters(Cloud cloud) {
        this.cloud = cloud;
    }

    /** Letters, digits, _ . - and / between levels; a name with / is fully qualified (starts with /); aws and ssm are reserved prefixes. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.\\-/]{1,2048}");
    /** "Standard parameters: 4 KB", "Advanced parameters: 8 KB" (SSM User Guide, "Managing parameter tiers"). */
    static final int STANDARD_MAX_VALUE = 4096;
    static final int ADVANCED_MAX_VALUE = 8192;
    /** "The maximum length for a parameter name, including the full length of the parameter ARN, is 1011 characters." (PutParameter, Name) */
    static final int MAX_ARN = 1011;

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || (name.contains("/") && !name.startsWith("/"))) {
            throw new AwsError("ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use"
                    + " only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not"
                    + " allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.");
        }
        String first = name.startsWith("/") ? name.substring(1) : name;
        if (first.toLowerCase(java.util.Locale.ROOT).startsWith("aws") || first.toLowerCase(java.util.Locale.ROOT).startsWith("ssm")) {
            throw new AwsError("ValidationException", "No access to reserved parameter name: " + name + ".");
        }
    }

    /** A parameter's ARN: the name without its leading slash after {@code parameter/} (SSM User Guide, "Working with parameter hierarchies"). */
    public static String arn(Cloud cloud, String name) {
        return "arn:aws:ssm:" + cloud.region + ":" + cloud.accountId + ":parameter/" + (name.startsWith("/") ? name.substring(1) : name);
    }

    public PutParameterResponse putParameter(PutParameterRequest r) {
        checkName(r.name());
        if (r.value() == null || r.value().isEmpty()) {
            throw new AwsError("ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have"
                    + " length greater than or equal to 1");
        }
        if (arn(cloud, r.name()).length() > MAX_ARN) {
            throw new AwsError("ValidationException", "Parameter name: the name, with its ARN, is longer than " + MAX_ARN + " characters.");
        }
        Cloud.Parameter p = cloud.parameters.get(r.name());
        int bytes = r.value().getBytes(StandardCharsets.UTF_8).length;
        String asked = r.tierAsString() == null ? "Standard" : r.tierAsString();
        // Intelligent-Tiering: standard when the value fits, advanced when it does not; an advanced parameter stays advanced.
        String tier = switch (asked) {
            case "Standard" -> "Standard";
            case "Advanced" -> "Advanced";
            case "Intelligent-Tiering" -> bytes > STANDARD_MAX_VALUE || (p != null && "Advanced".equals(p.tier)) ? "Advanced" : "Standard";
            default -> throw new AwsError("ValidationException", "1 validation error detected: Value '" + asked + "' at 'tier' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]");
        };
        if (tier.equals("Standard") && p != null && "Advanced".equals(p.tier)) {
            throw new AwsError("ValidationException", "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the"
                    + " advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it"
                    + " as a standard parameter.");
        }
        if (tier.equals("Standard") && bytes > STANDARD_MAX_VALUE) {
            throw new AwsError("ValidationException", "Standard tier parameters support a maximum parameter value of 4096 characters. To create a"
                    + " larger parameter value, upgrade the parameter to use the advanced-parameter tier.");
        }
        if (bytes > ADVANCED_MAX_VALUE) {
            throw new AwsError("ValidationException", "Advanced tier parameters support a maximum parameter value of 8192 characters.");
        }
        if (p != null && !Boolean.TRUE.equals(r.overwrite())) {
            throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the"
                    + " request to true.");
        }
        String type = r.typeAsString();
        if (p == null && type == null) {
            throw new AwsError("ValidationException", "A parameter type is required when you create a parameter.");
        }
        if (p == null) {
            p = new Cloud.Parameter();
            p.name = r.name();
            cloud.parameters.put(p.name, p);
        }
        if (type != null) {
            p.type = type;
        }
        p.value = r.value();
        p.tier = tier;
        p.version++;
        p.lastModified = Instant.now();
        return PutParameterResponse.builder().version(p.version).tier(tier).build();
    }

    public GetParameterResponse getParameter(GetParameterRequest r) {
        Cloud.Parameter p = found(r.name());
        boolean secret = "SecureString".equals(p.type);
        // Without WithDecryption a SecureString's value is its ciphertext, base64-encoded.
        String value = secret && !Boolean.TRUE.equals(r.withDecryption())
                ? Base64.getEncoder().encodeToString(("ciphertext of " + p.name + " v" + p.version).getBytes(StandardCharsets.UTF_8)) : p.value;
        return GetParameterResponse.builder().parameter(Parameter.builder().name(p.name).type(p.type).value(value).version(p.version)
                .lastModifiedDate(p.lastModified).arn(arn(cloud, p.name)).dataType("text").build()).build();
    }

    /** "Valid range: Minimum value of 1. Maximum value of 10." (GetParametersByPath, MaxResults; 10 when not given). */
    static final int MAX_RESULTS_BY_PATH = 10;

    /**
     * GetParametersByPath: the parameters one level below {@code Path}, or every level with Recursive (SSM User Guide, "Working
     * with parameter hierarchies"), in name order, a page of MaxResults at a time with NextToken. The path starts with a
     * slash; a parameter whose name has no slash is in no hierarchy and is never returned.
     */
    public GetParametersByPathResponse getParametersByPath(GetParametersByPathRequest r) {
        String path = r.path();
        if (path == null || !path.startsWith("/") || !NAME.matcher(path).matches()) {
            throw new AwsError("ValidationException", "The parameter doesn't meet the parameter name requirements. The parameter name must"
                    + " begin with a forward slash \"/\".");
        }
        int max = r.maxResults() == null ? MAX_RESULTS_BY_PATH : r.maxResults();
        if (max < 1 || max > MAX_RESULTS_BY_PATH) {
            throw new AwsError("ValidationException", "1 validation error detected: Value '" + max + "' at 'maxResults' failed to satisfy"
                    + " constraint: Member must have value less than or equal to 10");
        }
        String prefix = path.endsWith("/") ? path : path + "/";
        boolean recursive = Boolean.TRUE.equals(r.recursive());
        java.util.List<Cloud.Parameter> found = cloud.parameters.values().stream()
                .filter(p -> p.name.startsWith(prefix) && (recursive || !p.name.substring(prefix.length()).contains("/")))
                .sorted(java.util.Comparator.comparing((Cloud.Parameter p) -> p.name)).toList();
        int from = 0;
        if (r.nextToken() != null) {
            try {
                from = Integer.parseInt(r.nextToken());
            } catch (NumberFormatException e) {
                throw new AwsError("InvalidNextToken", "The specified token isn't valid.");
            }
        }
        java.util.List<Parameter> page = new java.util.ArrayList<>();
        for (int i = from; i < Math.min(found.size(), from + max); i++) {
            Cloud.Parameter p = found.get(i);
            boolean secret = "SecureString".equals(p.type);
            String value = secret && !Boolean.TRUE.equals(r.withDecryption())
                    ? Base64.getEncoder().encodeToString(("ciphertext of " + p.name + " v" + p.version).getBytes(StandardCharsets.UTF_8)) : p.value;
            page.add(Parameter.builder().name(p.name).type(p.type).value(value).version(p.version).lastModifiedDate(p.lastModified)
                    .arn(arn(cloud, p.name)).dataType("text").build());
        }
        String next = from + max < found.size() ? String.valueOf(from + max) : null;
        return GetParametersByPathResponse.builder().parameters(page).nextToken(next).build();
    }

    public DeleteParameterResponse deleteParameter(DeleteParameterRequest r) {
        found(r.name());
        cloud.parameters.remove(r.name());
        return DeleteParameterResponse.builder().build();
    }

    private Cloud.Parameter found(String name) {
        Cloud.Parameter p = name == null ? null : cloud.parameters.get(name);
        if (p == null) {
            // GetParameter and DeleteParameter: ParameterNotFound.
            throw new AwsError("ParameterNotFound", "Parameter " + name + " not found.");
        }
        return p;
    }
}
