package dev.xen2nitro.functions.guest;

import dev.xen2nitro.functions.core.InvalidInputException;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/** Judges the captured guest facts ({@link GuestRules}): refusals, and the plan of guest steps. */
public class AssessGuest extends JsonHandler<AssessGuest.Input, AssessGuest.Result> {

    /** @param targetType the type preflight chose (null in a dry run that chose none): 2008 R2 runs on older Nitro types only */
    public record Input(String instanceId, String output, String targetType) implements Validatable {
        @Override
        public void validate() {
            if (output == null || output.isBlank()) {
                throw new InvalidInputException("'output' is required: the output of the CaptureGuestFacts command");
            }
        }
    }

    public record Result(String instanceId, GuestFacts facts, GuestRules.Assessment assessment) {}

    public AssessGuest() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        GuestFacts facts = GuestFacts.parse(in.output());
        return new Result(in.instanceId(), facts, GuestRules.assess(facts, in.targetType()));
    }

    @Override
    protected boolean callsNoAws() {
        return true;
    }

    @Override
    protected Input sampleInput() {
        return new Input("i-0123456789abcdef0", GuestFacts.sampleOutput(), "m5.xlarge");
    }
}
