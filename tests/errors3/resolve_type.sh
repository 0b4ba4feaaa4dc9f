#!/bin/sh
# A semantic error from stap-resolve: file:line:col, the source line
# with its tab and a caret under the column, a note in the same form
# for the other use, the count, exit 1.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf 'probe begin {\n\tx = "a"\n\tx++\n}\n' >x.stp
"$BIN/stap-parse" x.stp >x.tree || { echo "stap-parse failed"; exit 1; }
expect "type mismatch" 1 "\
x.stp:3:2: error: type mismatch for 'x': long here
    \tx++
    \t^
x.stp:2:2: note: but string here
    \tx = \"a\"
    \t^
stap-resolve: 1 error
" "$BIN/stap-resolve" x.tree
[ $fails = 0 ]
