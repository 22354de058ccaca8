package dev.xen2nitro.local;

import java.util.List;
import java.util.Map;

/** Reading a run's world.json as the tests do: a list of it, an instance by ID, its tags. */
interface WorldView {
    Map<String, Object> world();

    @SuppressWarnings("unchecked")
    default List<Map<String, Object>> list(String key) {
        return (List<Map<String, Object>>) world().get(key);
    }

    default Map<String, Object> instance(String id) {
        return list("instances").stream().filter(i -> id.equals(i.get("id"))).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    default Map<String, String> tags(String id) {
        return (Map<String, String>) instance(id).get("tags");
    }
}
