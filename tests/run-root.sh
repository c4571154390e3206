#!/bin/sh
# Runs the root suites (integration, security) on this machine's cgroup
# layout. The v2 VM lane runs this same script inside the VM, with
# ISO_SUITES naming the suites to run (paths), when not all of them.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/suites.sh
suites=${ISO_SUITES:-$(ls tests/integration/test_*.sh tests/security/test_*.sh 2>/dev/null)}
# shellcheck disable=SC2086 # one path a word
run_suites "root suites" $suites
