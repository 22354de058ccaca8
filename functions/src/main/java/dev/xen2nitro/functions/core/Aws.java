package dev.xen2nitro.functions.core;

import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;

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
}
