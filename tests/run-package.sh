#!/bin/sh
# The package lane: builds the .deb, installs, enables, purges it on this
# machine (tests/package/test_*.sh, root). Prints the lane's total.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/suites.sh
run_suites package tests/package/test_*.sh
