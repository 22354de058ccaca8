#!/usr/bin/env bash
# Prints the pin line of every package zip under DIR, laid out as DIR/PACKAGE/VERSION/PACKAGE.zip, in the
# format of functions/src/main/resources/dev/xen2nitro/functions/guest/package-pins.sha256:
#   SHA256  PACKAGE/VERSION/PACKAGE.zip
# Run it on zips you downloaded from AWS yourself (README, "Driver packages") and checked there; review the
# lines, add them to that file, commit, build and deploy. The functions send a package to a guest only
# with the hash pinned there, and scripts/stage-drivers.sh uploads only zips pinned there.
# Usage: scripts/pin-packages.sh DIR
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR   (DIR/PACKAGE/VERSION/PACKAGE.zip)" >&2
  exit 2
fi
cd "$1"
found=0
while IFS= read -r zip; do
  zip="${zip#./}"
  IFS=/ read -r pkg version file <<< "$zip"
  if [[ "$file" != "$pkg.zip" || ! "$pkg" =~ ^[A-Za-z0-9]+$ || ! "$version" =~ ^[0-9]+(\.[0-9]+){1,3}$ ]]; then
    echo "skipping $zip: not PACKAGE/VERSION/PACKAGE.zip with a dotted VERSION" >&2
    continue
  fi
  printf '%s  %s\n' "$(sha256sum "$zip" | cut -d' ' -f1)" "$zip"
  found=$((found + 1))
done < <(find . -mindepth 3 -maxdepth 3 -name '*.zip' | sort)
if [[ $found -eq 0 ]]; then
  echo "no DIR/PACKAGE/VERSION/PACKAGE.zip found under $1" >&2
  exit 1
fi
