package dev.xen2nitro.functions.rules;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the Nitro type that replaces a Xen type when the operator gives none: the next
 * generation of the same family (m4 -> m5, c4 -> c5, r4 -> r5, t2 -> t3...), same size if offered in
 * the instance's Availability Zone, else the smallest offered size with at least as many vCPUs and
 * as much memory.
 */
public final class TargetTypes {
    private TargetTypes() {}

    /** What the chooser needs to know of an instance type (from DescribeInstanceTypes). */
    public record TypeInfo(String name, boolean nitro, int vcpus, long memoryMib, List<String> architectures) {
        public String family() {
            return name.substring(0, name.indexOf('.'));
        }

        public String size() {
            return name.substring(name.indexOf('.') + 1);
        }
    }

    public record Choice(String type, String reason) {}

    static final Map<String, String> NEXT_GENERATION = Map.ofEntries(
            Map.entry("m4", "m5"), Map.entry("m3", "m5"), Map.entry("m1", "m5"),
            Map.entry("c4", "c5"), Map.entry("c3", "c5"), Map.entry("c1", "c5"),
            Map.entry("r4", "r5"), Map.entry("r3", "r5"),
            Map.entry("t2", "t3"), Map.entry("t1", "t3"),
            Map.entry("x1", "x2iedn"), Map.entry("x1e", "x2iedn"),
            Map.entry("d2", "d3"), Map.entry("i2", "i3en"), Map.entry("i3", "i3en"),
            Map.entry("p2", "p3dn"), Map.entry("g3", "g4dn"), Map.entry("h1", "d3"));

    public static Optional<String> nextFamily(String family) {
        return Optional.ofNullable(NEXT_GENERATION.get(family));
    }

    /** The Xen families whose next generation is {@code family} (m5: m1, m3, m4), sorted; none for a family no Xen one precedes. */
    public static List<String> previousFamilies(String family) {
        return NEXT_GENERATION.entrySet().stream().filter(e -> e.getValue().equals(family)).map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * @param current   the instance's type
     * @param offered   the types offered in the instance's Availability Zone, with their facts
     * @param arch      the instance's architecture
     */
    public static Optional<Choice> choose(TypeInfo current, List<TypeInfo> offered, String arch) {
        String family = NEXT_GENERATION.get(current.family());
        if (family == null) {
            return Optional.empty();
        }
        List<TypeInfo> candidates = offered.stream()
                .filter(t -> t.family().equals(family) && t.nitro() && NitroTargets.allows(t.name()) && t.architectures().contains(arch)).toList();
        Optional<TypeInfo> same = candidates.stream().filter(t -> t.size().equals(current.size())).findFirst();
        if (same.isPresent()) {
            return Optional.of(new Choice(same.get().name(), current.name() + " -> " + same.get().name()
                    + ": same size, next generation of the family (" + current.family() + " -> " + family + "), offered in the zone"));
        }
        return candidates.stream()
                .filter(t -> t.vcpus() >= current.vcpus() && t.memoryMib() >= current.memoryMib())
                .min(Comparator.comparingInt(TypeInfo::vcpus).thenComparingLong(TypeInfo::memoryMib))
                .map(t -> new Choice(t.name(), current.name() + " -> " + t.name() + ": " + family + " has no "
                        + current.size() + " offered in the zone; the smallest with at least " + current.vcpus()
                        + " vCPUs and " + current.memoryMib() + " MiB"));
    }
}
