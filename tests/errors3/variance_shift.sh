#!/bin/sh
# @variance(s, N): stap takes a bit shift N from 0 to 62 and refuses
# others at the script line, as stap-bpfgen does.
cd "$(dirname "$0")/.." || exit 2
. errors3/errors.inc
printf '%s\n' 'global s' \
    'probe begin { s <<< 1; println(@variance(s, 63), @variance(s, 62)) }' \
    >x.stp
"$BIN/stap-parse" x.stp | "$BIN/stap-resolve" >x.tree ||
    { echo "stap-resolve failed"; exit 1; }
expect "variance shift" 1 "\
x.stp:2:45: error: bit shift (63) out of range <0..62>
    probe begin { s <<< 1; println(@variance(s, 63), @variance(s, 62)) }
                                                ^
stap-bpfgen: 1 error
" "$BIN/stap-bpfgen" x.tree
[ $fails = 0 ]
