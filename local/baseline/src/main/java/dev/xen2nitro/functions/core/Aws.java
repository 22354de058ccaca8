package dev.xen2nitro.functions.core;

import java.net.URI;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The startup benchmark's baseline, in place of the functions' own {@code Aws}: each client as most samples build it,
 * {@code XxxClient.create()} in a static field (one holder per client, so a handler builds only the clients it uses, as a
 * handler with its own static fields would): the SDK's default HTTP client, region and credentials from the default
 * provider chains, no priming. S3 is the one exception: path-style addressing, so that its calls reach the local cloud's
 * endpoint as the functions' do.
 */
public final class Aws {
    private Aws() {}

    public static Region region() {
        return new DefaultAwsRegionProviderChain().getRegion();
    }

    private static final class Ec2Holder {
        static final Ec2Client EC2 = Ec2Client.create();
    }

    public static Ec2Client ec2() {
        return Ec2Holder.EC2;
    }

    private static final class AutoScalingHolder {
        static final AutoScalingClient AUTOSCALING = AutoScalingClient.create();
    }

    public static AutoScalingClient autoScaling() {
        return AutoScalingHolder.AUTOSCALING;
    }

    private static final class SsmHolder {
        static final SsmClient SSM = SsmClient.create();
    }

    public static SsmClient ssm() {
        return SsmHolder.SSM;
    }

    private static final class SnsHolder {
        static final SnsClient SNS = SnsClient.create();
    }

    public static SnsClient sns() {
        return SnsHolder.SNS;
    }

    private static final class KmsHolder {
        static final KmsClient KMS = KmsClient.create();
    }

    public static KmsClient kms() {
        return KmsHolder.KMS;
    }

    private static final class CloudTrailHolder {
        static final CloudTrailClient CLOUDTRAIL = CloudTrailClient.create();
    }

    public static CloudTrailClient cloudTrail() {
        return CloudTrailHolder.CLOUDTRAIL;
    }

    private static final class SfnHolder {
        static final SfnClient SFN = SfnClient.create();
    }

    public static SfnClient sfn() {
        return SfnHolder.SFN;
    }

    private static final class S3Holder {
        static final S3Client S3 = S3Client.builder().forcePathStyle(true).build();
    }

    public static S3Client s3() {
        return S3Holder.S3;
    }

    public static String s3Domain() {
        RegionMetadata m = region().metadata();
        return m == null ? "amazonaws.com" : m.domain();
    }

    private static final class PresignerHolder {
        static final S3Presigner PRESIGNER = S3Presigner.builder()
                .endpointOverride(URI.create("https://s3." + region().id() + "." + s3Domain()))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(false).build()).build();
    }

    public static S3Presigner s3Presigner() {
        return PresignerHolder.PRESIGNER;
    }

    public static String setting(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            v = System.getProperty(name);
        }
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return v;
    }

    /** No priming in the baseline. */
    public static void prime() {
    }

    public static void priming(Runnable action) {
        action.run();
    }

    public static long requestsSent() {
        return -1;
    }
}
