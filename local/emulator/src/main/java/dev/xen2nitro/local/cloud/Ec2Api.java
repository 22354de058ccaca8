package dev.xen2nitro.local.cloud;

import java.util.List;

/**
 * The slice of the EC2 API the functions use, one class per resource family. In each, one public
 * method per action, named as the action, takes and returns the SDK's own model classes; the
 * emulator serves an action from the family that has its method. Rules and error texts follow the
 * EC2 API reference and error reference; "observed" texts are real error output quoted in public issues.
 */
public final class Ec2Api {
    private Ec2Api() {}

    public static List<Object> families(Cloud cloud) {
        return List.of(new Ec2Instances(cloud), new Ec2Images(cloud), new Ec2RootVolumes(cloud), new Ec2Network(cloud),
                new Ec2Tags(cloud), new Ec2Catalogue(cloud), new Ec2Reservations(cloud));
    }
}
