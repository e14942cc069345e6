#!/usr/bin/env bash
# The local Debian base image the container tests build on (no image registry is reachable
# here): made once with debootstrap from Debian's packages, then reused.
# Needs root and Debian's podman, runc and debootstrap packages (.ci/run installs them).
set -euo pipefail
BASE="${MONITOR_TEST_BASE_IMAGE:-localhost/debian-py:bookworm}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}"
podman=(podman --runtime runc --cgroup-manager=cgroupfs)

if "${podman[@]}" image exists "$BASE"; then
  exit 0
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" >/dev/null
tar -C "$root" -c . | "${podman[@]}" import - "$BASE" >/dev/null
echo "made base image $BASE"
