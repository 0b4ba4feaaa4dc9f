#!/bin/sh
# stap-resolve given its own output again refuses it in one line.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf 'probe begin { exit() }\n' >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >x.res ||
    { echo "stap-parse | stap-resolve failed"; exit 1; }
expect "stdin" 1 "stap-resolve: <stdin>: is a resolved stap-tree; \
stap-resolve wants a parsed one (from stap-parse)\n" \
    sh -c '"$1" <x.res' sh "$BIN/stap-resolve"
[ $fails = 0 ]
