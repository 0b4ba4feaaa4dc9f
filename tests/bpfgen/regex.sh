#!/bin/sh
# stap-bpfgen/regex.c, the compiler of =~ regexes to DFAs: checked by
# tests/bpfgen/redrv.c against glibc's regexec, stap's own semantics
# and its errors, built with sanitizers when the compiler has them.
# Exit 0 pass, 77 skip (reason last), anything else fail.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cc=${CC:-cc}
if ! getconf GNU_LIBC_VERSION >/dev/null 2>&1; then
	echo "needs glibc: its regexec is the reference"
	exit 77
fi
src="tests/bpfgen/redrv.c stap-bpfgen/regex.c lib/arena.c lib/diag.c"
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -Wpedantic
    -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# shellcheck disable=SC2086
$cc $flags $san $src -o "$tmp/t" 2>/dev/null ||
    $cc $flags $src -o "$tmp/t" || exit 1
"$tmp/t"
