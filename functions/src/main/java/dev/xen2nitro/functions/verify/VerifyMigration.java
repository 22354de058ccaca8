package dev.xen2nitro.functions.verify;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;
import dev.xen2nitro.functions.guest.GuestFacts;
import dev.xen2nitro.functions.guest.GuestRules;
import dev.xen2nitro.functions.preflight.Check;
import dev.xen2nitro.functions.rules.InstanceIds;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;

/**
 * The final check (DESIGN step 9): the type is the target, enaSupport is on, both status checks
 * pass, the SSM agent is online, and the drivers in the guest are at the pinned versions. The pins it
 * is given are driver versions as Windows reports them (the plan's {@code driverVersion}), not package
 * versions: AWS NVMe package 1.5.1 contains driver 1.5.0 ({@link dev.xen2nitro.functions.rules.DriverMatrix}).
 */
public class VerifyMigration extends JsonHandler<VerifyMigration.Input, VerifyMigration.Result> {

    public record Input(String instanceId, String targetType, String pv, String ena, String nvme, String output) implements Validatable {
        @Override
        public void validate() {
            InstanceIds.require("instanceId", instanceId);
        }
    }

    public record Result(String instanceId, boolean verified, List<Check> checks) {}

    public VerifyMigration() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String id = in.instanceId();
        Instance i = Ec2Calls.describeInstance(id);
        InstanceStatus s = Ec2Calls.call("DescribeInstanceStatus " + id, () -> Aws.ec2().describeInstanceStatus(r -> r.instanceIds(id)))
                .instanceStatuses().stream().findFirst().orElse(null);
        boolean online = AwsCalls.call("DescribeInstanceInformation " + id, () -> Aws.ssm().describeInstanceInformation(
                r -> r.filters(f -> f.key("InstanceIds").values(id)))).instanceInformationList().stream()
                .anyMatch(x -> "Online".equals(x.pingStatusAsString()));
        List<Check> checks = new ArrayList<>();
        checks.add(in.targetType() != null && in.targetType().equals(i.instanceTypeAsString())
                ? Check.pass("instance-type", i.instanceTypeAsString()) : Check.fail("instance-type", "type is " + i.instanceTypeAsString() + ", expected " + in.targetType()));
        checks.add(Boolean.TRUE.equals(i.enaSupport()) ? Check.pass("ena-support", "enaSupport is on") : Check.fail("ena-support", "enaSupport is off"));
        boolean statusOk = s != null && "ok".equals(s.instanceStatus().statusAsString()) && "ok".equals(s.systemStatus().statusAsString());
        checks.add(statusOk ? Check.pass("status-checks", "instance and system status checks pass")
                : Check.fail("status-checks", "status checks: " + (s == null ? "none (not running)" : s.instanceStatus().statusAsString() + "/" + s.systemStatus().statusAsString())));
        checks.add(online ? Check.pass("ssm-online", "the SSM agent is online") : Check.fail("ssm-online", "the SSM agent is not online"));
        GuestFacts g = in.output() == null ? null : GuestFacts.parse(in.output());
        GuestFacts.Drivers d = g == null || g.drivers() == null ? new GuestFacts.Drivers(null, null, null) : g.drivers();
        driver(checks, "pv-driver", d.pv(), in.pv());
        driver(checks, "ena-driver", d.ena(), in.ena());
        driver(checks, "nvme-driver", d.nvme(), in.nvme());
        return new Result(id, checks.stream().allMatch(Check::passed), checks);
    }

    private static void driver(List<Check> checks, String name, String installed, String pinnedDriver) {
        if (pinnedDriver != null) checks.add(GuestRules.driverCheck(name, installed, pinnedDriver));
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", "m5.xlarge", "8.4.3", "2.6.0", "1.5.0", "{\"drivers\":{}}");
    }
}
