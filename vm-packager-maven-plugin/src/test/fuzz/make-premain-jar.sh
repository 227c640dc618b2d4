#!/usr/bin/env bash
# Makes jazzer-premain.jar: a jar of nothing but a manifest naming the Byte Buddy installer that
# Jazzer ships (shaded) as its Premain-Class. Surefire starts the test JVM with it as -javaagent
# (see the module pom), so when a fuzz test asks Byte Buddy for an Instrumentation it already has
# one, instead of attaching to its own JVM through an external process: under load that attach
# times out ("Could not self-attach to current VM using external process") and fails every fuzz
# test. The installer class itself is loaded from the jazzer jar on the test class path.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
cat >"$tmp/MANIFEST.MF" <<'MF'
Premain-Class: com.code_intelligence.jazzer.third_party.net.bytebuddy.agent.Installer
Can-Redefine-Classes: true
Can-Retransform-Classes: true
Can-Set-Native-Method-Prefix: true
MF
mkdir "$tmp/empty"
(cd "$tmp/empty" && jar --create --file "$OLDPWD/jazzer-premain.jar" --manifest "$tmp/MANIFEST.MF" --date 2026-01-01T00:00:00Z -C "$tmp/empty" .)
rm -rf "$tmp"
