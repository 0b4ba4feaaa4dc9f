#!/bin/sh
# A bad regular expression is stap-bpfgen's error, at the byte of the
# literal it is about (the closing quote for a missing ')', the start of
# an inverted range), escapes in the literal counted as written, in
# stap's words; every bad one in the script is reported, exit 1.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf 'probe begin {\n\tx = "ab" =~ "a(b"\n\ty = "c" !~ "[z-a]"\n%s\n}\n' \
    '	z = "q" =~ "\t\\x41[z-a]"' >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >x.tree ||
    { echo "stap-resolve failed"; exit 1; }
expect "bad regex" 1 "\
x.stp:2:18: error: regular expression: expected ), found end of regex
    \tx = \"ab\" =~ \"a(b\"
    \t                ^
x.stp:3:15: error: regular expression: Inverted character range z-a
    \ty = \"c\" !~ \"[z-a]\"
    \t             ^
x.stp:4:22: error: regular expression: Inverted character range z-a
    \tz = \"q\" =~ \"\\\\t\\\\\\\\x41[z-a]\"
    \t                    ^
stap-bpfgen: 3 errors
" "$BIN/stap-bpfgen" x.tree
[ $fails = 0 ]
