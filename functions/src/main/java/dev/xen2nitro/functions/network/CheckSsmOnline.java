package dev.xen2nitro.functions.network;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.typechange.InstanceRef;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;

/** Whether the instance's SSM agent is Online, for the state machine's wait loops. */
public class CheckSsmOnline extends JsonHandler<InstanceRef, CheckSsmOnline.Result> {

    public record Result(String instanceId, boolean online, String pingStatus, String platformName, String agentVersion) {}

    public CheckSsmOnline() {
        super(InstanceRef.class);
    }

    @Override
    protected Result handle(InstanceRef in) {
        InstanceInformation info = AwsCalls.call("DescribeInstanceInformation " + in.instanceId(), () -> Aws.ssm()
                        .describeInstanceInformation(r -> r.filters(f -> f.key("InstanceIds").values(in.instanceId()))))
                .instanceInformationList().stream().findFirst().orElse(null);
        if (info == null) {
            return new Result(in.instanceId(), false, "NotRegistered", null, null);
        }
        return new Result(in.instanceId(), "Online".equals(info.pingStatusAsString()), info.pingStatusAsString(),
                info.platformName(), info.agentVersion());
    }

    @Override
    protected InstanceRef sampleInput() {
        return new InstanceRef("i-0123456789abcdef0");
    }
}
