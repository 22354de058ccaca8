package dev.xen2nitro.functions.core;

/** The tags this workflow writes; an operator finds every resource of an execution by them. */
public final class Tags {
    private Tags() {}

    /** On the instance while an execution holds it: the execution's ARN ({@link Executions}). */
    public static final String LOCK = "xen2nitro:lock";
    /** On the instance afterwards: migrated, refused, rejected, approval-timed-out, failed, rehearsal-failed, needs-attention. */
    public static final String STATUS = "xen2nitro:status";
    /** The execution that created a resource, or (on the instance) that recorded its outcome. */
    public static final String EXECUTION = "xen2nitro:execution";
    /** On the instance: the backup AMI. */
    public static final String BACKUP_IMAGE = "xen2nitro:backup-image";
    /** On a backup AMI: the instance it was taken from. */
    public static final String INSTANCE = "xen2nitro:instance";
    /** On a backup AMI: the UTC date it was taken. */
    public static final String DATE = "xen2nitro:date";
    /** On a backup AMI: the instance's type before the migration. */
    public static final String ORIGINAL_TYPE = "xen2nitro:original-type";
    /** On a backup AMI: the instance's enaSupport before the migration, true or false. */
    public static final String ORIGINAL_ENA_SUPPORT = "xen2nitro:original-ena-support";
    /** On a backup AMI: the instance's state before the migration, running or stopped. */
    public static final String ORIGINAL_STATE = "xen2nitro:original-state";
    /** On the instance once an approver answered: approved or rejected (a signed answer only). */
    public static final String APPROVAL = "xen2nitro:approval";
    /** On the instance: who approved (their ARNs, comma-separated) or rejected. */
    public static final String APPROVER = "xen2nitro:approver";
    /** On the instance: how they answered, cli or link. */
    public static final String APPROVAL_VIA = "xen2nitro:approval-via";
    /** On the instance: when they answered, ISO-8601 UTC. */
    public static final String APPROVAL_AT = "xen2nitro:approval-at";
    /** On endpoints and security groups this workflow created (and will delete): "true". */
    public static final String TEMPORARY = "xen2nitro:temporary";
    /**
     * On the temporary endpoints and security group that the migrations of one VPC share: where their users are registered
     * (the SSM parameter path /STACK/endpoints/VPC/). Only what carries this stack's path is ever deleted.
     */
    public static final String ENDPOINT_USERS = "xen2nitro:endpoint-users";
    /** On a rehearsal's clone, its volumes, interface and security group: the original instance it is a copy of. */
    public static final String REHEARSAL_OF = "xen2nitro:rehearsal-of";
    /** On a rehearsal's clone, its volumes, interface and security group: the rehearsing execution, which removes them. */
    public static final String REHEARSAL_EXECUTION = "xen2nitro:rehearsal-execution";
}
