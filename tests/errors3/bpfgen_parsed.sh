#!/bin/sh
# stap-bpfgen given a parsed tree (stap-resolve skipped) refuses it in
# one line saying what it got and what it wants, on stdin and by name.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf 'probe begin { exit() }\n' >x.stp
"$BIN/stap-parse" x.stp >x.tree || { echo "stap-parse failed"; exit 1; }
expect "stdin" 1 "stap-bpfgen: <stdin>: is a parsed stap-tree; \
stap-bpfgen wants a resolved one (from stap-resolve)\n" \
    sh -c '"$1" <x.tree' sh "$BIN/stap-bpfgen"
expect "file" 1 "stap-bpfgen: x.tree: is a parsed stap-tree; \
stap-bpfgen wants a resolved one (from stap-resolve)\n" \
    "$BIN/stap-bpfgen" x.tree
[ $fails = 0 ]
