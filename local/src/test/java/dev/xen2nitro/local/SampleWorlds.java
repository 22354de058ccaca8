package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import java.io.IOException;

/**
 * The account each events/ sample assumes, as {@link HandlerSamplesTest} defines it for its case, for tools outside the
 * tests (local/perf invokes every function on its sample in it).
 */
public final class SampleWorlds {
    private SampleWorlds() {}

    /** Loads the world events/NAME.json assumes into {@code local}, afresh. */
    public static void load(LocalCloud local, String name) throws IOException {
        HandlerSamplesTest.Case c = HandlerSamplesTest.CASES.get(name);
        if (c == null) {
            throw new IllegalArgumentException("HandlerSamplesTest has no case for " + name);
        }
        Cloud cloud = HandlerSamplesTest.cloud(name, c.world());
        local.reset(cloud);
        synchronized (cloud) {
            c.world().seed().accept(cloud);
        }
    }
}
