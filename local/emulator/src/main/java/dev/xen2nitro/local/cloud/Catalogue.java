package dev.xen2nitro.local.cloud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The EC2 instance-type catalogue and Availability Zone offerings the local cloud answers with,
 * from DescribeInstanceTypes / DescribeInstanceTypeOfferings captures (resources/catalogue, a copy
 * of the project's shared data). A deployed stack asks the real EC2 API instead.
 */
public final class Catalogue {

    public record InstanceType(String name, String hypervisor, boolean currentGeneration, boolean bareMetal,
                               int vcpus, long memoryMib, String enaSupport, String nvmeSupport,
                               boolean instanceStorage, long instanceStorageGb, List<String> architectures,
                               List<String> bootModes, int maxEbsAttachments, int maxNetworkInterfaces) {
        public boolean nitro() {
            return "nitro".equals(hypervisor);
        }

        public boolean enaRequired() {
            return "required".equals(enaSupport);
        }

        /** The family, the name's part before the size (m4 of m4.xlarge). */
        public String family() {
            return name.substring(0, name.indexOf('.'));
        }

        /**
         * EC2 User Guide, "Create an instance store-backed AMI": only C1, C3, D2, I2, M1, M2, M3, R3 and X1
         * support an instance store volume as the root device; every type supports EBS.
         */
        public List<String> rootDeviceTypes() {
            return Set.of("c1", "c3", "d2", "i2", "m1", "m2", "m3", "r3", "x1").contains(family())
                    ? List.of("ebs", "instance-store") : List.of("ebs");
        }

        /** EC2 User Guide, "Linux AMI virtualization types": only C1, C3, HS1, M1, M2, M3 and T1 run PV AMIs; all run HVM. */
        public List<String> virtualizationTypes() {
            return Set.of("c1", "c3", "hs1", "m1", "m2", "m3", "t1").contains(family())
                    ? List.of("hvm", "paravirtual") : List.of("hvm");
        }

        /** EC2 User Guide, "Burstable performance instances": the T4g, T3a, T3 and T2 families. */
        public boolean burstable() {
            return Set.of("t2", "t3", "t3a", "t4g").contains(family());
        }
    }

    private final Map<String, InstanceType> types;
    private final Map<String, Set<String>> offeringsByZone;

    private Catalogue(Map<String, InstanceType> types, Map<String, Set<String>> offeringsByZone) {
        this.types = types;
        this.offeringsByZone = offeringsByZone;
    }

    private static Catalogue loaded;

    public static synchronized Catalogue get() {
        if (loaded == null) {
            Map<String, InstanceType> types = new LinkedHashMap<>();
            for (String[] r : csv("instance-types.csv")) {
                types.put(r[0], new InstanceType(r[0], r[1], Boolean.parseBoolean(r[2]), Boolean.parseBoolean(r[3]),
                        Integer.parseInt(r[4]), Long.parseLong(r[5]), r[6], r[7], Boolean.parseBoolean(r[8]),
                        Long.parseLong(r[9]), List.of(r[10].split(" ")), List.of(r[11].split(" ")),
                        Integer.parseInt(r[12]), Integer.parseInt(r[13])));
            }
            Map<String, Set<String>> zones = new TreeMap<>();
            for (String file : List.of("offerings-us-east-1.csv", "offerings-ap-northeast-1.csv")) {
                for (String[] r : csv(file)) {
                    zones.computeIfAbsent(r[0], z -> new TreeSet<>()).add(r[1]);
                }
            }
            loaded = new Catalogue(types, zones);
        }
        return loaded;
    }

    public InstanceType type(String name) {
        return types.get(name);
    }

    public Map<String, InstanceType> types() {
        return types;
    }

    public boolean knowsZone(String zone) {
        return offeringsByZone.containsKey(zone);
    }

    public Set<String> zones() {
        return offeringsByZone.keySet();
    }

    public Set<String> offeredIn(String zone) {
        return offeringsByZone.getOrDefault(zone, Set.of());
    }

    public boolean offered(String type, String zone) {
        return offeredIn(zone).contains(type);
    }

    private static List<String[]> csv(String name) {
        try (InputStream in = Catalogue.class.getResourceAsStream("/catalogue/" + name)) {
            if (in == null) {
                throw new IllegalStateException("catalogue resource " + name + " is missing from the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return r.lines().skip(1).filter(l -> !l.isBlank()).map(l -> l.strip().split(",", -1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
