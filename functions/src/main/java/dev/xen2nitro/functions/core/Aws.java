package dev.xen2nitro.functions.core;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import java.net.URI;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * SDK clients, built once per container on first use, or before the SnapStart snapshot by {@link #prime()}.
 *
 * <p>Built as the SDK's guide for Lambda advises for fast starts ("Reduce SDK startup time for AWS Lambda", AWS SDK for
 * Java 2.x Developer Guide): one HTTP client, named; the region from {@code AWS_REGION} (or the {@code aws.region}
 * system property), never the provider chain; credentials from one provider chosen by what Lambda sets
 * ({@link #credentialsProvider()}). The HTTP client is the URL connection client, which needs no library beyond the
 * JDK; the guide now also names the CRT-based client, which brings native libraries and was not measured here. Endpoints are the SDK's own: the standard overrides {@code AWS_ENDPOINT_URL}
 * and {@code AWS_ENDPOINT_URL_<SERVICE>} (or {@code aws.endpointUrl}) are honoured by the SDK itself, which is how the
 * local cloud is reached; there is no other switch.
 *
 * <p>While the process primes ({@link #priming}), every client's calls, on any thread, are answered here, with what AWS
 * answered the handler's sample in the local cloud ({@link PrimingAnswers}) or else an empty success, and signed with
 * placeholder credentials. Each answer comes through the HTTP client's own code (a URL connection client of its own,
 * which uses no proxy), from a server on the loopback address that is open only while priming ({@link PrimingServer}), so
 * that this code runs too; were that server not to open, or an exchange with it to fail, the answer is given in the
 * process instead. The paths of the calls that run are
 * exercised, and nothing reaches AWS or the credentials endpoint, so no connection or credential is in the snapshot.
 */
public final class Aws {
    private Aws() {}

    /** Set while the process primes, for every thread (Lambda invokes nothing before the snapshot is taken). */
    private static volatile boolean priming;
    private static volatile PrimingAnswers answers = PrimingAnswers.none();
    private static final java.util.concurrent.atomic.AtomicLong SENT = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong ANSWERED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong OVER_LOOPBACK = new java.util.concurrent.atomic.AtomicLong();
    /** The loopback server of the priming under way, or null (none under way, or it could not open). */
    private static volatile PrimingServer loopback;

    private static final SdkHttpClient HTTP = new PrimingAwareHttpClient(checkedEndpointOverride());

    /**
     * Fails with what to do when {@code AWS_ENDPOINT_URL} is empty, which the SDK would reject with a bare "URI scheme ...
     * must not be null" at the first client, or when sam local runs the function ({@code AWS_SAM_LOCAL}, which it always
     * sets) without it, which would send the calls to AWS with the shell's credentials: sam local gives every variable
     * template.yaml declares and nothing sets an empty value (AWS SAM CLI, samcli/local/lambdafn/env_vars.py), and the
     * template declares this one, with no value in any stack, for local/sam-env.json to set. Returns the URL connection
     * client, the one HTTP client of every SDK client.
     */
    private static SdkHttpClient checkedEndpointOverride() {
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        boolean samLocal = "true".equals(System.getenv("AWS_SAM_LOCAL"));
        if ((endpoint != null || samLocal) && (endpoint == null || endpoint.isBlank()) && System.getProperty("aws.endpointUrl") == null) {
            throw new IllegalStateException("AWS_ENDPOINT_URL is " + (endpoint == null ? "not set" : "set but empty")
                    + ": under sam local give --env-vars local/sam-env.json, which points it at the local cloud (README, \"SAM local"
                    + " testing\"); in AWS the stack leaves it unset");
        }
        return UrlConnectionHttpClient.create();
    }

    private static final AwsCredentialsProvider CREDENTIALS = new PrimingAwareCredentials(credentialsProvider());

    /**
     * The credentials of the function's role, from where Lambda puts them: with SnapStart, the container credentials
     * endpoint ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}; Lambda Developer Guide, "Activating and managing Lambda
     * SnapStart", credentials: the access key variables are not set); otherwise the variables {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN} (Lambda, "Defined runtime environment variables").
     * Between the two, the system properties {@code aws.accessKeyId} and {@code aws.secretAccessKey}, which the SDK's
     * default chain also reads before the variables (Lambda sets none; the local cloud does). None of these (a tool outside Lambda): the SDK's default chain. Each
     * provider reads its source on every
     * resolution (the container provider caches until the credentials near expiry), so the choice holds after a restore.
     */
    static AwsCredentialsProvider credentialsProvider() {
        if (System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return ContainerCredentialsProvider.builder().build();
        }
        if (System.getProperty("aws.accessKeyId") != null) {
            return SystemPropertyCredentialsProvider.create();
        }
        if (System.getenv("AWS_ACCESS_KEY_ID") != null) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * Builds every client (class loading, the clients' configuration, endpoint rules) without a call, so that the
     * SnapStart snapshot holds them built.
     */
    public static void prime() {
        ec2();
        ssm();
        sns();
        s3();
        s3Presigner();
        kms();
        sfn();
        autoScaling();
        cloudTrail();
    }

    /**
     * Runs {@code action} with every SDK call of the process answered here (HTTP 200, an empty body of the protocol's kind)
     * and signed with placeholder credentials: nothing leaves the process. For priming only, before any invocation.
     */
    public static void priming(Runnable action) {
        priming(PrimingAnswers.none(), action);
    }

    /**
     * As {@link #priming(Runnable)}, each call answered with the next of {@code recorded} for it, while one is left
     * ({@link PrimingAnswers}), otherwise empty.
     */
    public static synchronized void priming(PrimingAnswers recorded, Runnable action) {
        answers = recorded;
        try {
            loopback = PrimingServer.open();
        } catch (java.io.IOException | RuntimeException e) {
            loopback = null; // answered in the process
        }
        priming = true;
        try {
            action.run();
        } finally {
            priming = false;
            answers = PrimingAnswers.none();
            PrimingServer server = loopback;
            loopback = null;
            if (server != null) {
                server.close();
                OVER_LOOPBACK.addAndGet(server.answered());
            }
        }
    }

    /** Requests the clients of this JVM have sent to an endpoint (primed ones are not sent). */
    public static long requestsSent() {
        return SENT.get();
    }

    /** Calls answered while priming. */
    public static long primedAnswers() {
        return ANSWERED.get();
    }

    /**
     * Of {@link #primedAnswers()}, those the HTTP client took from the loopback server ({@link PrimingServer#send}); the
     * others were given in the process.
     */
    public static long primedOverLoopback() {
        return OVER_LOOPBACK.get();
    }

    private static final class PrimingAwareHttpClient implements SdkHttpClient {
        private final SdkHttpClient delegate;

        PrimingAwareHttpClient(SdkHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            if (!priming) {
                SENT.incrementAndGet();
                return delegate.prepareRequest(request);
            }
            ANSWERED.incrementAndGet();
            byte[] sent;
            try (java.io.InputStream in = request.contentStreamProvider().map(p -> p.newStream()).orElse(null)) {
                sent = in == null ? new byte[0] : in.readAllBytes();
            } catch (java.io.IOException e) {
                sent = new byte[0];
            }
            // Recorded, or empty: JSON protocols (SSM, KMS, Step Functions, CloudTrail) carry X-Amz-Target; the others answer in XML.
            boolean json = request.httpRequest().firstMatchingHeader("X-Amz-Target").isPresent();
            PrimingAnswers.Answer answer = answers.next(request.httpRequest(), sent).orElseGet(() -> new PrimingAnswers.Answer("", 200,
                    json ? "application/x-amz-json-1.1" : "text/xml", java.util.Map.of(), json ? "{}" : "<Response/>"));
            ExecutableHttpRequest inProcess = inProcess(answer);
            PrimingServer server = loopback;
            if (server == null) {
                return inProcess;
            }
            return server.send(request, sent, answer, inProcess);
        }

        /** The answer given in the process, without the HTTP client. */
        private static ExecutableHttpRequest inProcess(PrimingAnswers.Answer answer) {
            byte[] body = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(answer.status())
                            .putHeader("Content-Type", answer.contentType())
                            .putHeader("Content-Length", String.valueOf(body.length));
                    answer.headers().forEach(response::putHeader);
                    return HttpExecuteResponse.builder()
                            .response(response.build())
                            .responseBody(AbortableInputStream.create(new java.io.ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                    // Nothing is under way.
                }
            };
        }

        @Override
        public String clientName() {
            return delegate.clientName();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private record PrimingAwareCredentials(AwsCredentialsProvider delegate) implements AwsCredentialsProvider {
        private static final AwsCredentials PLACEHOLDER = AwsBasicCredentials.create("AKIAPRIMINGONLY00000", "priming-only");

        @Override
        public AwsCredentials resolveCredentials() {
            return priming ? PLACEHOLDER : delegate.resolveCredentials();
        }
    }

    public static Region region() {
        return new SystemSettingsRegionProvider().getRegion();
    }

    private static final class Ec2Holder {
        static final Ec2Client EC2 = Ec2Client.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static Ec2Client ec2() {
        return Ec2Holder.EC2;
    }

    private static final class AutoScalingHolder {
        static final AutoScalingClient AUTOSCALING = AutoScalingClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static AutoScalingClient autoScaling() {
        return AutoScalingHolder.AUTOSCALING;
    }

    private static final class SsmHolder {
        static final SsmClient SSM = SsmClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static SsmClient ssm() {
        return SsmHolder.SSM;
    }

    private static final class SnsHolder {
        static final SnsClient SNS = SnsClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static SnsClient sns() {
        return SnsHolder.SNS;
    }

    private static final class KmsHolder {
        static final KmsClient KMS = KmsClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static KmsClient kms() {
        return KmsHolder.KMS;
    }

    private static final class CloudTrailHolder {
        static final CloudTrailClient CLOUDTRAIL = CloudTrailClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static CloudTrailClient cloudTrail() {
        return CloudTrailHolder.CLOUDTRAIL;
    }

    private static final class SfnHolder {
        static final SfnClient SFN = SfnClient.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).build();
    }

    public static SfnClient sfn() {
        return SfnHolder.SFN;
    }

    private static final class S3Holder {
        // Path-style keeps bucket names with dots valid over TLS; it works for every bucket.
        static final S3Client S3 = S3Client.builder().httpClient(HTTP).credentialsProvider(CREDENTIALS).region(region()).forcePathStyle(true).build();
    }

    public static S3Client s3() {
        return S3Holder.S3;
    }

    /** The DNS suffix of the region's partition: amazonaws.com, or amazonaws.com.cn in China. */
    public static String s3Domain() {
        RegionMetadata m = region().metadata();
        return m == null ? "amazonaws.com" : m.domain();
    }

    private static final class PresignerHolder {
        /*
         * The URL is for the guest, which reaches S3 at its regional endpoint (through the subnet's S3 gateway
         * endpoint), never at an endpoint this function's own calls may be pointed at; so the regional endpoint is
         * named here, virtual-hosted (the stack's bucket name has no dots: S3 User Guide, "Virtual hosting of
         * buckets"). Presigning is computed locally and makes no call.
         */
        static final S3Presigner PRESIGNER = S3Presigner.builder().credentialsProvider(CREDENTIALS).region(region())
                .endpointOverride(URI.create("https://s3." + region().id() + "." + s3Domain()))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(false).build()).build();
    }

    public static S3Presigner s3Presigner() {
        return PresignerHolder.PRESIGNER;
    }

    /** A setting of the stack (template.yaml Environment), or an error that names it. */
    public static String setting(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set; template.yaml sets it for every function that needs it");
        }
        return v;
    }
}
