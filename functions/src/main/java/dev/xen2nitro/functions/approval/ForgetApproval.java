package dev.xen2nitro.functions.approval;

import dev.xen2nitro.functions.core.AwsCalls;
import dev.xen2nitro.functions.core.Executions;
import dev.xen2nitro.functions.core.JsonHandler;
import dev.xen2nitro.functions.core.Validatable;

/**
 * When the execution no longer waits (approved, rejected, timed out, anything sent with its token, or ended midway): the
 * pending approval is deleted, so that nothing is kept for an execution that cannot be answered and parameters, which
 * never expire, do not pile up (an advanced one is billed by the month). An answer that raced the approval function's own
 * delete and wrote the record again is deleted here too. The approval function deletes it already once it answers; then there is nothing left.
 */
public class ForgetApproval extends JsonHandler<ForgetApproval.Input, ForgetApproval.Result> {

    public record Input(String execution) implements Validatable {
        @Override
        public void validate() {
            Executions.require("execution", execution);
        }
    }

    /** @param forgotten whether a pending approval was there to delete */
    public record Result(boolean forgotten) {}

    public ForgetApproval() {
        super(Input.class);
    }

    @Override
    protected Result handle(Input in) {
        return AwsCalls.call("DeleteParameter " + PendingApprovals.name(in.execution()), () -> new Result(PendingApprovals.delete(in.execution())));
    }

    @Override
    protected Input sampleInput() {
        return new Input(Executions.SAMPLE);
    }
}
