#!/bin/sh
# Installs Mesa 25's lavapipe (a software Vulkan driver) from Debian 12 bookworm-backports, so that Dawn (the
# `webgpu` npm package) finds a WebGPU adapter on a machine without a GPU. Debian 12's own Mesa 22 is too old for
# Dawn. Idempotent; needs root (or sudo) and network access to deb.debian.org.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
LIST=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee "$LIST" >/dev/null
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends libvulkan1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers
# Show what the Vulkan loader will see (the ICD manifests of the installed drivers).
ls /usr/share/vulkan/icd.d/
