#!/usr/bin/env bash
# Stages the packages in the stack's bucket, where the guest steps download them from (presigned URLs the
# functions make): s3://BUCKET/drivers/PACKAGE/VERSION/PACKAGE.zip.
# DIR holds the zips downloaded from AWS, laid out as DIR/PACKAGE/VERSION/PACKAGE.zip, for PACKAGE in
# AWSPVDriver, AwsEnaNetworkDriver, AWSNVMe and EC2Install at the versions of the README's tables.
# Only a zip whose SHA-256 is pinned in the functions (PINS, by default
# functions/src/main/resources/dev/xen2nitro/functions/guest/package-pins.sha256) is uploaded: the guest
# would refuse any other, and a zip nobody reviewed must not sit in the bucket. Pin new zips with
# scripts/pin-packages.sh first. No hash is written to the bucket: the functions never read one there.
# Usage: scripts/stage-drivers.sh BUCKET DIR [--endpoint-url URL]      (PINS=FILE to check another pin file)
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 BUCKET DIR [--endpoint-url URL]" >&2
  exit 2
fi
bucket="$1"; dir="$2"; shift 2
here="$(cd "$(dirname "$0")/.." && pwd)"
pins="$(cd "$(dirname "${PINS:-$here/functions/src/main/resources/dev/xen2nitro/functions/guest/package-pins.sha256}")" && pwd)/$(basename "${PINS:-package-pins.sha256}")"
if [[ ! -f "$pins" ]]; then
  echo "no pin file at $pins" >&2
  exit 2
fi
cd "$dir"
zips=()
refused=0
while IFS= read -r zip; do
  zip="${zip#./}"
  sha="$(sha256sum "$zip" | cut -d' ' -f1)"
  if ! grep -Fxq -e "$sha  $zip" -e "$sha *$zip" "$pins"; then
    echo "refusing $zip: its SHA-256 $sha is not pinned in $pins; download it from AWS, check it, run scripts/pin-packages.sh, commit and deploy the pin first" >&2
    refused=$((refused + 1))
    continue
  fi
  zips+=("$zip")
done < <(find . -mindepth 3 -maxdepth 3 -name '*.zip' | sort)
if [[ $refused -gt 0 ]]; then
  echo "nothing uploaded: $refused zip(s) not pinned" >&2
  exit 1
fi
if [[ ${#zips[@]} -eq 0 ]]; then
  echo "no DIR/PACKAGE/VERSION/PACKAGE.zip found under $dir" >&2
  exit 1
fi
for zip in "${zips[@]}"; do
  echo "uploading $zip to s3://$bucket/drivers/$zip"
  aws s3 cp "$zip" "s3://$bucket/drivers/$zip" --only-show-errors "$@"
done
echo "staged ${#zips[@]} pinned package(s) in s3://$bucket/drivers/"
