package dev.xen2nitro.functions.core;

import software.amazon.awssdk.http.SdkHttpClient;
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
 * SDK clients, built once per container on first use.
 *
 * <p>Region comes from {@code AWS_REGION} (or the {@code aws.region} system property); credentials from
 * the default chain (SnapStart supplies them). Endpoints are the SDK's own: the standard overrides
 * {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>} (or {@code aws.endpointUrl}) are
 * honoured by the SDK itself, which is how the local cloud is reached; there is no other switch.
 */
public final class Aws {
    private Aws() {}

    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    public static Region region() {
        return new SystemSettingsRegionProvider().getRegion();
    }

    private static final class Ec2Holder {
        static final Ec2Client EC2 = Ec2Client.builder().httpClient(HTTP).region(region()).build();
    }

    public static Ec2Client ec2() {
        return Ec2Holder.EC2;
    }

    private static final class AutoScalingHolder {
        static final AutoScalingClient AUTOSCALING = AutoScalingClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static AutoScalingClient autoScaling() {
        return AutoScalingHolder.AUTOSCALING;
    }

    private static final class SsmHolder {
        static final SsmClient SSM = SsmClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static SsmClient ssm() {
        return SsmHolder.SSM;
    }

    private static final class SnsHolder {
        static final SnsClient SNS = SnsClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static SnsClient sns() {
        return SnsHolder.SNS;
    }

    private static final class KmsHolder {
        static final KmsClient KMS = KmsClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static KmsClient kms() {
        return KmsHolder.KMS;
    }

    private static final class CloudTrailHolder {
        static final CloudTrailClient CLOUDTRAIL = CloudTrailClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static CloudTrailClient cloudTrail() {
        return CloudTrailHolder.CLOUDTRAIL;
    }

    private static final class SfnHolder {
        static final SfnClient SFN = SfnClient.builder().httpClient(HTTP).region(region()).build();
    }

    public static SfnClient sfn() {
        return SfnHolder.SFN;
    }

    private static final class S3Holder {
        // Path-style keeps bucket names with dots valid over TLS; it works for every bucket.
        static final S3Client S3 = S3Client.builder().httpClient(HTTP).region(region()).forcePathStyle(true).build();
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
        static final S3Presigner PRESIGNER = S3Presigner.builder().region(region())
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
