#!/bin/sh
# The interpreter's unit tests: build tests/interp/interptest.c against
# stap-bpfld/interp.c in a temporary directory, run it, pass it on.
# CC and CFLAGS from the environment win, so check-san can add sanitizers.
cd "$(dirname "$0")/../.." || exit 1
CFLAGS=${CFLAGS:--std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -Wall -Wextra \
-Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# shellcheck disable=SC2086
${CC:-cc} $CFLAGS stap-bpfld/interp.c tests/interp/interptest.c \
    -o "$tmp/interptest" || exit 1
"$tmp/interptest" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
grep -q '^FAIL' "$tmp/out" && exit 1
[ $rc -eq 0 ] || exit 1
exit 0
