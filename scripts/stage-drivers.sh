#!/usr/bin/env bash
# Stages the AWS driver packages in the stack's bucket, where the guest steps take them from:
#   s3://BUCKET/drivers/PACKAGE/VERSION/PACKAGE.zip  and their sums in  s3://BUCKET/drivers/SHA256SUMS
# DIR holds the zips downloaded from AWS, laid out as DIR/PACKAGE/VERSION/PACKAGE.zip, for
# PACKAGE in AWSPVDriver, AwsEnaNetworkDriver, AWSNVMe and the versions of the README's driver table.
# Usage: scripts/stage-drivers.sh BUCKET DIR [--endpoint-url URL]
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 BUCKET DIR [--endpoint-url URL]" >&2
  exit 2
fi
bucket="$1"; dir="$2"; shift 2
sums="$(mktemp)"
trap 'rm -f "$sums"' EXIT
cd "$dir"
found=0
while IFS= read -r zip; do
  zip="${zip#./}"
  key="drivers/$zip"
  echo "uploading $zip to s3://$bucket/$key"
  aws s3 cp "$zip" "s3://$bucket/$key" --only-show-errors "$@"
  printf '%s  %s\n' "$(sha256sum "$zip" | cut -d' ' -f1)" "$key" >> "$sums"
  found=$((found + 1))
done < <(find . -mindepth 3 -maxdepth 3 -name '*.zip' | sort)
if [[ $found -eq 0 ]]; then
  echo "no DIR/PACKAGE/VERSION/PACKAGE.zip found under $dir" >&2
  exit 1
fi
aws s3 cp "$sums" "s3://$bucket/drivers/SHA256SUMS" --only-show-errors "$@"
echo "staged $found packages and drivers/SHA256SUMS in s3://$bucket"
