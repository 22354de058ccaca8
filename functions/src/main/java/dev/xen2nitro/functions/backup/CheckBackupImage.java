package dev.xen2nitro.functions.backup;

import dev.xen2nitro.functions.core.Aws;
import dev.xen2nitro.functions.core.Ec2Calls;
import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/** The backup AMI's state (pending, available, failed) for the state machine's wait loop. */
public class CheckBackupImage extends JsonHandler<CheckBackupImage.Input, CheckBackupImage.Result> {

    public record Input(String imageId) implements Validatable {
        @Override
        public void validate() {
            if (imageId == null || !imageId.matches("ami-[0-9a-f]{8,17}")) {
                throw new InvalidInputException("'imageId' is \"" + imageId + "\"; expected an AMI ID such as ami-0abc123def4567890");
            }
        }
    }

    public record Result(String imageId, String state) {}

    public CheckBackupImage() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        String state = Ec2Calls.call("DescribeImages " + in.imageId(), () -> Aws.ec2().describeImages(r -> r.imageIds(in.imageId())))
                .images().get(0).stateAsString();
        return new Result(in.imageId(), state);
    }

    @Override
    protected Input sampleInput() {
        return new Input("ami-0123456789abcdef0");
    }
}
