package dev.xen2nitro.local;

import dev.xen2nitro.local.cloud.Cloud;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The world as it is now, for world.json and for tests: what an operator would check in the console. */
final class WorldSnapshot {
    private WorldSnapshot() {}

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
            m.put("stopCount", i.stopCount);
            m.put("startCount", i.startCount);
            m.put("stateHistory", i.stateHistory);
            List<Object> vols = new ArrayList<>();
            i.volumes.forEach(v -> vols.add(Map.of("deviceName", v.deviceName, "volumeId", v.volumeId, "sizeGiB", v.sizeGiB)));
            m.put("volumes", vols);
            m.put("tags", i.tags);
            if (i.guest != null) m.put("guest", i.guest.facts());
            instances.add(m);
        }
        w.put("instances", instances);
        List<Object> endpoints = new ArrayList<>();
        for (Cloud.VpcEndpoint e : c.vpcEndpoints.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id);
            m.put("vpcId", e.vpcId);
            m.put("serviceName", e.serviceName);
            m.put("type", e.type);
            m.put("state", e.state);
            m.put("privateDnsEnabled", e.privateDnsEnabled);
            m.put("subnetIds", e.subnetIds);
            m.put("routeTableIds", e.routeTableIds);
            m.put("securityGroupIds", e.securityGroupIds);
            Map<String, String> tags = new LinkedHashMap<>(e.tags);
            tags.remove("__clientToken");
            m.put("tags", tags);
            endpoints.add(m);
        }
        w.put("vpcEndpoints", endpoints);
        List<Object> groups = new ArrayList<>();
        for (Cloud.SecurityGroup g : c.securityGroups.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", g.id);
            m.put("vpcId", g.vpcId);
            m.put("groupName", g.groupName);
            m.put("ingress", g.ingress);
            m.put("tags", g.tags);
            groups.add(m);
        }
        w.put("securityGroups", groups);
        List<Object> images = new ArrayList<>();
        for (Cloud.Image im : c.images.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", im.id);
            m.put("name", im.name);
            m.put("state", im.state);
            m.put("sourceInstanceId", im.sourceInstanceId);
            m.put("tags", im.tags);
            images.add(m);
        }
        w.put("images", images);
        List<Object> tasks = new ArrayList<>();
        c.replaceRootTasks.values().forEach(t -> tasks.add(Map.of("id", t.id, "instanceId", t.instanceId,
                "imageId", String.valueOf(t.imageId), "state", t.state)));
        w.put("replaceRootVolumeTasks", tasks);
        w.put("detachedVolumes", c.detachedVolumes);
        List<Object> notifications = new ArrayList<>();
        c.topics.values().forEach(list -> list.forEach(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("topicArn", n.topicArn());
            m.put("subject", n.subject());
            m.put("message", n.message());
            m.put("sent", n.sent().toString());
            notifications.add(m);
        }));
        w.put("notifications", notifications);
        List<Object> commands = new ArrayList<>();
        c.commands.invocations.values().forEach(inv -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instanceId", inv.instanceId);
            m.put("documentName", inv.documentName);
            m.put("status", inv.status);
            m.put("parameters", inv.parameters);
            commands.add(m);
        });
        w.put("commands", commands);
        w.put("calls", c.calls);
        return w;
    }
}
