package dev.xen2nitro.functions.rules;

import java.util.Set;

/**
 * The Nitro types Windows Server 2008 R2 may move to. Its last ENA driver is 2.2.3, and AWS's ENA
 * Windows driver releases page says of it that instance types released after March 2021 do not support
 * Windows Server 2008 R2 (EC2 User Guide, "Track ENA Windows driver version releases", 2.2.3). The list
 * is of x86_64 Nitro families AWS announced before March 2021 (AWS What's New); a family not in it is
 * refused for 2008 R2 rather than guessed to be old enough.
 */
public final class Ws2008R2Targets {
    private Ws2008R2Targets() {}

    static final Set<String> BEFORE_MARCH_2021 = Set.of(
            "m5", "m5d", "m5a", "m5ad", "m5n", "m5dn", "m5zn",
            "c5", "c5d", "c5n", "c5a", "c5ad",
            "r5", "r5d", "r5a", "r5ad", "r5n", "r5dn", "r5b",
            "t3", "t3a", "z1d", "i3en", "d3", "d3en", "g4dn", "inf1", "p3dn");

    /** The family of the same kind (memory, compute, burstable, general purpose) announced before March 2021. */
    static String older(String family) {
        return switch (family.charAt(0)) {
            case 'r', 'x', 'u', 'z' -> "r5";
            case 'c' -> "c5";
            case 't' -> "t3";
            default -> "m5";
        };
    }

    /** Why {@code os} cannot run on {@code targetType}, or null when it can (or when either is unknown). */
    public static String refusal(String os, String targetType) {
        if (!"2008R2".equals(os) || targetType == null || targetType.indexOf('.') < 0) {
            return null;
        }
        String family = targetType.substring(0, targetType.indexOf('.'));
        if (BEFORE_MARCH_2021.contains(family)) {
            return null;
        }
        return "the target type " + targetType + " is of a family released after March 2021, which does not support Windows Server"
                + " 2008 R2 (its last ENA driver, 2.2.3, says so): start again with \"targetType\" set to a type of a family announced"
                + " before then, such as " + older(family) + ", that fits the instance (check that the size exists and holds its memory)";
    }
}
