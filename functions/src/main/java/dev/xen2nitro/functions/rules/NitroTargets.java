package dev.xen2nitro.functions.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The instance types this stack changes an instance to, as IAM {@code StringLike} patterns of Nitro families: the m, c
 * and r families from the fifth generation on, t3 and t3a, and the Nitro families that succeed the other Xen ones
 * ({@link TargetTypes}: z1d, x2*, d3*, i3en, g4dn, p3dn) with their newer kin. No Xen family (m1-m4, c1-c4, r3-r4,
 * t1-t2, x1, x1e, d2, i2, i3, h1, p2, p3, g2, g3, f1) matches any of them.
 *
 * <p>template.yaml grants ChangeInstanceTypeFunction {@code ec2:ModifyInstanceAttribute} only with
 * {@code ec2:Attribute/InstanceType} like one of these, so IAM refuses any other type; preflight refuses a target
 * outside them before anything changes, and ChangeInstanceType before it calls EC2. TemplateTest checks that the
 * template's list is this one and that, in the local catalogue, they match Nitro types only.
 */
public final class NitroTargets {
    private NitroTargets() {}

    public static final List<String> PATTERNS = List.of(
            "m5*.*", "m6*.*", "m7*.*", "m8*.*",
            "c5*.*", "c6*.*", "c7*.*", "c8*.*",
            "r5*.*", "r6*.*", "r7*.*", "r8*.*",
            "t3*.*",
            "z1d.*", "x2*.*", "x8*.*", "u-*.*", "u7*.*",
            "d3*.*", "i3en.*", "i4i.*", "i7i*.*",
            "g4dn.*", "g4ad.*", "g5.*", "g6*.*", "p3dn.*", "p4d*.*", "p5*.*", "inf1.*", "inf2.*");

    /** Whether {@code type} matches one of {@link #PATTERNS} as IAM's StringLike does ({@code *} any run, {@code ?} one character). */
    public static boolean allows(String type) {
        return type != null && PATTERNS.stream().anyMatch(p -> glob(p).matcher(type).matches());
    }

    private static Pattern glob(String pattern) {
        StringBuilder b = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            b.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(b.toString());
    }
}
