package dev.xen2nitro.local.host;

import java.net.URI;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Sends the AWS calls of a function invocation to the emulator of the local cloud that invoked it,
 * so that several local clouds can run side by side in one JVM although the functions build their
 * SDK clients once, against one endpoint ({@code aws.endpointUrl}). The {@link LambdaHost} sets the
 * emulator for the thread that runs the handler; calls made on any other thread are left alone.
 *
 * <p>Registered for every SDK client of the JVM through the SDK's global interceptor file
 * (software/amazon/awssdk/global/handlers/execution.interceptors), which only the local module
 * ships: nothing in functions/ knows of it, and nothing of it is deployed.
 */
public final class EmulatorRouting implements ExecutionInterceptor {
    private static final ThreadLocal<URI> CURRENT = new ThreadLocal<>();

    static void set(URI emulator) {
        CURRENT.set(emulator);
    }

    static void clear() {
        CURRENT.remove();
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        URI emulator = CURRENT.get();
        SdkHttpRequest request = context.httpRequest();
        if (emulator == null) {
            return request;
        }
        return request.toBuilder().protocol(emulator.getScheme()).host(emulator.getHost()).port(emulator.getPort()).build();
    }
}
