#!/bin/sh
# Endless or binary input stops at once: every tool refuses a NUL byte
# in a script or a tree as soon as it arrives (the writer here keeps the
# pipe open for 20 s after it, so waiting for the end would time out),
# and stops reading any input at 64 MiB (/dev/zero as a .bo, a generator
# that never ends), each with one line and exit 1.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc

# nul NAME 'STDERR' TOOL [ARGS]: TOOL reads "probe\0" from a pipe that
# stays open, and must have answered within 10 s
nul() {
	name=$1 want=$2
	shift 2
	rm -f fifo
	mkfifo fifo || exit 2
	sh -c 'printf "probe\0"; exec sleep 20' >fifo &
	w=$!
	expect "$name" 1 "$want" timeout 10 "$@"
	kill $w 2>/dev/null
	wait $w 2>/dev/null
}
nul "stap-parse: NUL as it arrives" \
    "stap-parse: '<stdin>': input has a NUL byte\n" \
    sh -c '"$1" - <fifo' sh "$BIN/stap-parse"
nul "stap-fmt: NUL as it arrives" \
    "stap-fmt: '<stdin>': input has a NUL byte\n" \
    sh -c '"$1" <fifo' sh "$BIN/stap-fmt"
nul "stap-resolve: NUL as it arrives" \
    "stap-resolve: '<stdin>': input has a NUL byte\n" \
    sh -c '"$1" <fifo' sh "$BIN/stap-resolve"
nul "stap-bpfgen: NUL as it arrives" \
    "stap-bpfgen: '<stdin>': input has a NUL byte\n" \
    sh -c '"$1" <fifo' sh "$BIN/stap-bpfgen"

expect "stap-parse: /dev/zero" 1 \
    "stap-parse: '/dev/zero': input has a NUL byte\n" \
    timeout 10 "$BIN/stap-parse" /dev/zero
expect "stap-fmt: /dev/zero" 1 \
    "stap-fmt: '/dev/zero': input has a NUL byte\n" \
    timeout 10 "$BIN/stap-fmt" /dev/zero

# One byte more than 64 MiB of text that would otherwise be fine: a
# script of comments, a tree of headers a reader skips
big=$((64 * 1024 * 1024 + 1))
yes '# a comment line' | head -c $big >big.stp
{ echo 'stap-tree 1'; yes '@x "y"' | head -c $big; } >big.tree
expect "stap-parse: 64 MiB" 1 \
    "stap-parse: 'big.stp': input larger than 64 MiB\n" \
    timeout 30 "$BIN/stap-parse" big.stp
expect "stap-fmt: 64 MiB script" 1 \
    "stap-fmt: 'big.stp': input larger than 64 MiB\n" \
    timeout 30 "$BIN/stap-fmt" big.stp
expect "stap-resolve: 64 MiB" 1 \
    "stap-resolve: '<stdin>': input larger than 64 MiB\n" \
    sh -c 'timeout 30 "$1" <big.tree' sh "$BIN/stap-resolve"
expect "stap-bpfgen: 64 MiB" 1 \
    "stap-bpfgen: '<stdin>': input larger than 64 MiB\n" \
    sh -c 'timeout 30 "$1" <big.tree' sh "$BIN/stap-bpfgen"
expect "stap-fmt: 64 MiB tree" 1 \
    "stap-fmt: '<stdin>': input larger than 64 MiB\n" \
    sh -c 'timeout 30 "$1" <big.tree' sh "$BIN/stap-fmt"
rm -f big.stp big.tree

# A .bo may hold NUL bytes, but not more than 64 MiB of them
expect "stap-bpfld: 64 MiB" 1 \
    "stap-bpfld: '<stdin>': input larger than 64 MiB\n" \
    sh -c 'head -c $2 /dev/zero | timeout 30 "$1" -' sh \
    "$BIN/stap-bpfld" $big
expect "stap-fmt: 64 MiB .bo" 1 \
    "stap-fmt: '<stdin>': input larger than 64 MiB\n" \
    sh -c '{ printf "\177ELF"; head -c $2 /dev/zero; } |
    timeout 30 "$1"' sh "$BIN/stap-fmt" $big
[ $fails = 0 ]
