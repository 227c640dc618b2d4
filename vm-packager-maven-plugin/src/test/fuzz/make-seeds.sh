#!/usr/bin/env bash
# Remakes the fuzz tests' seed corpora and companion files under
# src/test/resources/dev/vmpackager/fuzz/ (needs qemu-img, qemu-io and python3). Regression inputs
# found by fuzzing (crash-*, timeout-*) are kept.
set -euo pipefail
exec python3 "$(dirname "$0")/make-seeds.py"
