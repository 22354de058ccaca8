package dev.xen2nitro.local;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The actions one service serves: every public one-argument instance method of its handlers, by
 * name (the action with a lower-case first letter). A name two handlers both define is refused
 * when the service is built, so an action cannot silently reach the wrong family.
 */
final class Actions {
    record Action(Object handler, Method method) {}

    private final Map<String, Action> byName = new HashMap<>();

    Actions(List<Object> handlers) {
        for (Object h : handlers) {
            for (Method m : h.getClass().getMethods()) {
                if (m.getParameterCount() != 1 || m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                Action earlier = byName.put(m.getName(), new Action(h, m));
                if (earlier != null) {
                    throw new IllegalStateException(m.getName() + " is served by both " + earlier.handler().getClass().getSimpleName()
                            + " and " + h.getClass().getSimpleName());
                }
            }
        }
    }

    /** The action of this name, or null when the service has none. */
    Action get(String name) {
        return byName.get(name);
    }
}
