package dev.xen2nitro.local.host;

import java.util.Map;
import java.util.Properties;

/**
 * Each function's own environment while the Lambda host runs it, as Lambda gives each function its Environment: the
 * functions read their settings as environment variables or, in the local cloud, as system properties of the same name
 * ({@code Aws.setting}). Every function runs in one JVM here, so the JVM's properties are replaced once by these, which
 * answer a thread running an invocation with that function's variables first: two functions, or the same function in
 * two local clouds side by side, each see their own values. Only this module installs it.
 */
final class FunctionEnvironment extends Properties {
    private static final ThreadLocal<Map<String, String>> CURRENT = new ThreadLocal<>();

    private FunctionEnvironment() {}

    /** Puts these properties in place of the JVM's, keeping every property the JVM had. */
    static synchronized void install() {
        if (!(System.getProperties() instanceof FunctionEnvironment)) {
            FunctionEnvironment p = new FunctionEnvironment();
            p.putAll(System.getProperties());
            System.setProperties(p);
        }
    }

    /** The environment of the invocation this thread runs from now on. */
    static void enter(Map<String, String> environment) {
        install();
        CURRENT.set(Map.copyOf(environment));
    }

    static void leave() {
        CURRENT.remove();
    }

    @Override
    public String getProperty(String key) {
        Map<String, String> env = CURRENT.get();
        if (env != null && env.containsKey(key)) {
            return env.get(key);
        }
        return super.getProperty(key);
    }

    @Override
    public String getProperty(String key, String defaultValue) {
        String v = getProperty(key);
        return v == null ? defaultValue : v;
    }
}
