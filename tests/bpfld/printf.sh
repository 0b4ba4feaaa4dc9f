#!/bin/sh
# stap's printf semantics and the event stream renderer
# (tests/bpfld/printftest.c), built with sanitizers when the compiler
# has them.  Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cc=${CC:-cc}
src="tests/bpfld/printftest.c lib/printf.c lib/ksym.c lib/usym.c lib/meta.c
    lib/hist.c lib/hash.c lib/arena.c lib/diag.c"
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -Werror
    -Ilib"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# shellcheck disable=SC2086
$cc $flags $san $src -o "$tmp/t" 2>/dev/null ||
    $cc $flags $src -o "$tmp/t" || exit 1
"$tmp/t"
