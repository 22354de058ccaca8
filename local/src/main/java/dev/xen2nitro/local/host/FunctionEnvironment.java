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
    /** Names unset for the current invocation unless its environment has them, whatever the JVM's properties say. */
    private static final ThreadLocal<java.util.Set<String>> HIDDEN = ThreadLocal.withInitial(java.util.Set::of);

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
        enter(environment, java.util.Set.of());
    }

    /** As {@link #enter(Map)}, with {@code hidden} unset unless {@code environment} has them. */
    static void enter(Map<String, String> environment, java.util.Set<String> hidden) {
        install();
        CURRENT.set(Map.copyOf(environment));
        HIDDEN.set(hidden);
    }

    static void leave() {
        CURRENT.remove();
        HIDDEN.remove();
    }

    @Override
    public String getProperty(String key) {
        Map<String, String> env = CURRENT.get();
        if (env != null && env.containsKey(key)) {
            return env.get(key);
        }
        if (env != null && HIDDEN.get().contains(key)) {
            return null;
        }
        return super.getProperty(key);
    }

    @Override
    public String getProperty(String key, String defaultValue) {
        String v = getProperty(key);
        return v == null ? defaultValue : v;
    }
}
