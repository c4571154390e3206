#!/bin/sh
# Builds the security suite's tools into build/tests/ (called by the suite
# itself when they are missing or older than their sources):
#   isoattack        the hostile helper client (tests/security/isoattack.c)
#   evil_preload.so  the library LD_PRELOAD / LD_LIBRARY_PATH point at
# B and CC may be overridden like in the Makefile.
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
CC=${CC:-gcc}
# the suite passes --helper; this is only the default
HELPER=${HELPER:-/usr/local/libexec/pam_isolate/pam-isolate-helper}
mkdir -p "$B/tests"
CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Icommon"
newer() { [ ! -e "$1" ] || [ -n "$(find "$2" "$3" -newer "$1" 2>/dev/null)" ]; }
if newer "$B/tests/isoattack" tests/security/isoattack.c common/proto.c; then
	# shellcheck disable=SC2086
	$CC $CFLAGS -DISO_HELPER_PATH="\"$HELPER\"" tests/security/isoattack.c common/proto.c \
		-o "$B/tests/isoattack"
fi
if newer "$B/tests/evil_preload.so" tests/security/evil_preload.c tests/security/evil_preload.c; then
	# shellcheck disable=SC2086
	$CC $CFLAGS -shared -fPIC tests/security/evil_preload.c -o "$B/tests/evil_preload.so"
fi
