#!/usr/bin/env python3
"""Prints template.yaml as CloudFormation deploys it: the SAM transform applied by aws-sam-translator
(the library `sam deploy` uses, installed with cfn-lint), so that each function's and state machine's
role, with SAM's policy templates expanded, is what the local cloud authorizes calls against.

Usage: translate.py TEMPLATE [REGION]. The local code and definition paths are replaced by S3
locations first, as `sam package` would; intrinsic functions are left for the reader to resolve."""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class ManagedPolicies:
    """The AWS managed policies SAM names for the template (X-Ray for traced state machines), by their
    ARNs, so that no IAM lookup is needed."""

    def load(self):
        return {"AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"}


def main():
    path = sys.argv[1]
    os.environ.setdefault("AWS_DEFAULT_REGION", sys.argv[2] if len(sys.argv) > 2 else "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://package/functions.jar"
    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and "CodeUri" in props:
            props["CodeUri"] = "s3://package/functions.jar"
        if resource.get("Type") == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            props["DefinitionUri"] = "s3://package/" + name + ".json"
    json.dump(transform(template, {}, ManagedPolicies()), sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
