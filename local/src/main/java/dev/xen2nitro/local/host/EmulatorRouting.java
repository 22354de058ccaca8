package dev.xen2nitro.local.host;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Sends the AWS calls of a function invocation to the emulator of the local cloud that invoked it,
 * so that several local clouds can run side by side in one JVM although the functions build their
 * SDK clients once, against one endpoint ({@code aws.endpointUrl}). The {@link LambdaHost} sets the
 * emulator for the thread that runs the handler and the threads it starts; calls made on any other thread are left alone.
 * It also signs each call with the credentials of the invoked function's role, as the Lambda service
 * hands a function its role's session credentials, so the emulator authorizes the call by that role.
 *
 * <p>Registered for every SDK client of the JVM through the SDK's global interceptor file
 * (software/amazon/awssdk/global/handlers/execution.interceptors), which only the local module
 * ships: nothing in functions/ knows of it, and nothing of it is deployed.
 */
public final class EmulatorRouting implements ExecutionInterceptor {
    private record Route(URI emulator, AwsCredentials credentials) {}

    /** Inherited: the threads a handler starts call AWS as the function, as every thread of a Lambda function does. */
    private static final ThreadLocal<Route> CURRENT = new InheritableThreadLocal<>();

    static void set(URI emulator, AwsCredentials credentials) {
        CURRENT.set(new Route(emulator, credentials));
    }

    static void clear() {
        CURRENT.remove();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        Route route = CURRENT.get();
        SdkRequest request = context.request();
        if (route == null || route.credentials() == null || !(request instanceof AwsRequest aws)) {
            return request;
        }
        AwsRequestOverrideConfiguration.Builder o = aws.overrideConfiguration().map(AwsRequestOverrideConfiguration::toBuilder)
                .orElseGet(AwsRequestOverrideConfiguration::builder);
        return aws.toBuilder().overrideConfiguration(o.credentialsProvider(StaticCredentialsProvider.create(route.credentials())).build()).build();
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        Route route = CURRENT.get();
        SdkHttpRequest request = context.httpRequest();
        if (route == null) {
            return request;
        }
        URI emulator = route.emulator();
        return request.toBuilder().protocol(emulator.getScheme()).host(emulator.getHost()).port(emulator.getPort()).build();
    }
}
