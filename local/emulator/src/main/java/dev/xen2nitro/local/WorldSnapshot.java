package dev.xen2nitro.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.xen2nitro.local.cloud.Cloud;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world as it is now, for world.json and for tests: what an operator would check in the console.
 * Resources are written as Jackson sees the model (internal bookkeeping is @JsonIgnore'd); an
 * instance adds what is computed from the clock (status checks, SSM reachability) and its guest's state.
 */
final class WorldSnapshot {
    private WorldSnapshot() {}

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<List<Object>> LIST = new TypeReference<>() {};

    private static List<Object> list(Collection<?> items) {
        return JSON.convertValue(items, LIST);
    }

    static Map<String, Object> of(Cloud c) {
        long now = System.currentTimeMillis();
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("region", c.region);
        w.put("accountId", c.accountId);
        List<Object> instances = new ArrayList<>();
        for (Cloud.Instance i : c.instances.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id);
            m.put("instanceType", i.instanceType);
            m.put("state", i.state);
            m.put("enaSupport", i.enaSupport);
            m.put("instanceStatus", i.instanceStatus(now));
            m.put("systemStatus", i.systemStatus(now));
            m.put("ssmOnline", c.commands.online(i, now));
            m.put("subnetId", i.subnetId);
            m.put("privateIpAddress", i.privateIpAddress);
            m.put("imageId", i.imageId);
            m.put("iamInstanceProfile", i.iamInstanceProfile);
            m.put("securityGroupIds", i.securityGroupIds);
            m.put("stopCount", i.stopCount);
            m.put("startCount", i.startCount);
            m.put("stateHistory", i.stateHistory);
            List<Object> unavailable = new ArrayList<>();
            for (Cloud.Outage o : i.outages) {
                Map<String, Object> u = new LinkedHashMap<>();
                u.put("cause", o.cause);
                u.put("seconds", Math.round(o.seconds(c, now) * 10) / 10.0);
                u.put("open", o.upAt == null);
                unavailable.add(u);
            }
            m.put("unavailable", unavailable);
            m.put("volumes", list(i.volumes));
            m.put("tags", i.tags);
            if (i.guest != null) m.put("guest", i.guest.state());
            instances.add(m);
        }
        w.put("instances", instances);
        w.put("vpcEndpoints", list(c.vpcEndpoints.values()));
        w.put("securityGroups", list(c.securityGroups.values()));
        w.put("images", list(c.images.values()));
        w.put("replaceRootVolumeTasks", list(c.replaceRootTasks.values()));
        w.put("detachedVolumes", c.detachedVolumes);
        List<Cloud.Notification> notifications = new ArrayList<>();
        c.topics.values().forEach(notifications::addAll);
        // In the order they were published, whatever their topic.
        notifications.sort(java.util.Comparator.comparing(Cloud.Notification::sent));
        w.put("notifications", list(notifications));
        w.put("commands", list(c.commands.invocations.values()));
        w.put("parameters", list(c.parameters.values()));
        w.put("trail", list(c.trail));
        w.put("calls", c.calls);
        w.put("domainLogons", c.domainLogons);
        return w;
    }
}
