package dev.xen2nitro.local.cloud;

import dev.xen2nitro.local.wire.AwsError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.*;

/** The instance-type catalogue: DescribeInstanceTypes and DescribeInstanceTypeOfferings, from {@link Catalogue}. */
public final class Ec2Catalogue {
    private final Cloud cloud;

    Ec2Catalogue(Cloud cloud) {
        this.cloud = cloud;
    }

    /**
     * DescribeInstanceTypes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceTypeInfo.html)
     * answers from the catalogue's columns and the documented rules of {@link Catalogue.InstanceType}.
     * The catalogue does not carry EBS-optimized support and bandwidth, network performance and
     * cards, addresses per interface, cores and threads per core, clock speed, placement strategies,
     * usage classes, or hibernation, dedicated-host, auto-recovery and free-tier eligibility, and no
     * rule derives them, so those fields are left out.
     */
    public DescribeInstanceTypesResponse describeInstanceTypes(DescribeInstanceTypesRequest r) {
        List<String> names = r.hasInstanceTypes() ? r.instanceTypesAsStrings() : new ArrayList<>(cloud.catalogue.types().keySet());
        List<InstanceTypeInfo> out = new ArrayList<>();
        for (String n : names) {
            Catalogue.InstanceType t = cloud.catalogue.type(n);
            if (t == null) {
                throw new AwsError("InvalidInstanceType", "The following supplied instance types do not exist: [" + n + "]");
            }
            InstanceTypeInfo info = InstanceTypeInfo.builder().instanceType(t.name()).hypervisor(t.hypervisor())
                    .currentGeneration(t.currentGeneration()).bareMetal(t.bareMetal())
                    .vCpuInfo(v -> v.defaultVCpus(t.vcpus())).memoryInfo(m -> m.sizeInMiB(t.memoryMib()))
                    .instanceStorageSupported(t.instanceStorage())
                    .processorInfo(p -> p.supportedArchitecturesWithStrings(t.architectures()))
                    .supportedBootModesWithStrings(t.bootModes())
                    .supportedRootDeviceTypesWithStrings(t.rootDeviceTypes())
                    .supportedVirtualizationTypesWithStrings(t.virtualizationTypes())
                    .burstablePerformanceSupported(t.burstable())
                    .networkInfo(ni -> ni.enaSupport(t.enaSupport()).maximumNetworkInterfaces(t.maxNetworkInterfaces()))
                    .ebsInfo(e -> e.nvmeSupport(t.nvmeSupport()).maximumEbsAttachments(t.maxEbsAttachments())
                            .encryptionSupport(encryptionSupport(t.name())))
                    .build();
            if (t.instanceStorage()) {
                info = info.toBuilder().instanceStorageInfo(s -> s.totalSizeInGB(t.instanceStorageGb())).build();
            }
            if (Filters.match(r.filters(), Set.of("hypervisor", "current-generation", "instance-type"), Map.of(), f -> switch (f) {
                case "hypervisor" -> List.of(t.hypervisor());
                case "current-generation" -> List.of(String.valueOf(t.currentGeneration()));
                default -> List.of(t.name());
            })) {
                out.add(info);
            }
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
    }

    public DescribeInstanceTypeOfferingsResponse describeInstanceTypeOfferings(DescribeInstanceTypeOfferingsRequest r) {
        String locationType = r.locationTypeAsString() == null ? "region" : r.locationTypeAsString();
        List<InstanceTypeOffering> out = new ArrayList<>();
        for (String zone : cloud.catalogue.zones()) {
            if (!zone.startsWith(cloud.region)) continue;
            for (String type : cloud.catalogue.offeredIn(zone)) {
                if (!Filters.match(r.filters(), Set.of("instance-type", "location"), Map.of(),
                        f -> "location".equals(f) ? List.of(zone) : List.of(type))) {
                    continue;
                }
                out.add(InstanceTypeOffering.builder().instanceType(type).locationType(locationType)
                        .location("availability-zone".equals(locationType) ? zone : cloud.region).build());
            }
        }
        if (!"availability-zone".equals(locationType)) {
            out = out.stream().collect(Collectors.toMap(InstanceTypeOffering::instanceTypeAsString, o -> o, (a, b) -> a,
                    LinkedHashMap::new)).values().stream().toList();
        }
        return DescribeInstanceTypeOfferingsResponse.builder().instanceTypeOfferings(out).build();
    }

    /**
     * EBS encryption: the EBS User Guide says every current and previous generation type supports it, but
     * DescribeInstanceTypes answers "unsupported" for the first generation (m1, c1, t1 and cc2 in captured
     * output); for the other early families (m2, cr1, cg1, hi1, hs1) no capture says, so the field is left out.
     */
    static String encryptionSupport(String type) {
        String family = type.substring(0, type.indexOf('.'));
        return switch (family) {
            case "m1", "c1", "t1", "cc2" -> "unsupported";
            case "m2", "cr1", "cg1", "hi1", "hs1" -> null;
            default -> "supported";
        };
    }
}
