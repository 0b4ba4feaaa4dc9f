#!/bin/sh
# stap's histograms, lib/hist.c, driven by tests/bpfld/histdrv.c:
# the bucket of a value, the number of buckets and the drawing.  What
# each case must print was worked out by hand from stap's runtime
# (runtime/stat-common.c); the "elision" cases are those of stap's
# testsuite/systemtap.maps/elision.stp and agree with its elision.exp.
# Exit 0 pass, anything else fail.
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cc=${CC:-cc}
src="tests/bpfld/histdrv.c lib/hist.c"
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Wall -Wextra -Werror
    -Wpedantic -Wshadow -Ilib"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# shellcheck disable=SC2086
$cc $flags $san $src -o "$tmp/d" 2>/dev/null ||
    $cc $flags $src -o "$tmp/d" || exit 1
pass=0 fail=0

# t NAME HISTDRV-ARGS...: stdin holds histdrv's commands, a line "==",
# then exactly what they print
t() {
	name=$1
	shift
	cat >"$tmp/in"
	sed '/^==$/,$d' "$tmp/in" >"$tmp/cmd"
	sed '1,/^==$/d' "$tmp/in" >"$tmp/want"
	if "$tmp/d" "$@" <"$tmp/cmd" >"$tmp/got" 2>"$tmp/err" &&
	    cmp -s "$tmp/want" "$tmp/got"; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		diff -u "$tmp/want" "$tmp/got" | head -n 40
		cat "$tmp/err"
	fi
}

# Log buckets: 64 holds 0, 65 + k holds 2^k up to 2^(k+1) - 1, 63 - k
# their negatives; INT64_MIN alone is in 0
t "log buckets" log <<'EOF'
bucket 0
bucket 1
bucket 2
bucket 3
bucket 4
bucket -1
bucket -2
bucket -3
bucket -4
bucket 4611686018427387903
bucket 4611686018427387904
bucket 9223372036854775807
bucket -9223372036854775807
bucket -9223372036854775808
nbuckets
==
0 64
1 65
2 66
3 66
4 67
-1 63
-2 62
-3 62
-4 61
4611686018427387903 126
4611686018427387904 127
9223372036854775807 127
-9223372036854775807 1
-9223372036854775808 0
128
EOF

# Linear: 0 the underflow, then (v - start) / interval + 1, clamped to
# the overflow; stop is in the last ordinary bucket
t "linear buckets" linear 0 100 10 <<'EOF'
nbuckets
bucket -1
bucket 0
bucket 9
bucket 10
bucket 99
bucket 100
bucket 109
bucket 110
bucket 9223372036854775807
bucket -9223372036854775808
==
13
-1 0
0 1
9 1
10 2
99 10
100 11
109 11
110 12
9223372036854775807 12
-9223372036854775808 0
EOF

# v - start wraps as in stap's runtime, both ways
t "linear buckets, wrapping" linear -5 5 1 <<'EOF'
bucket -6
bucket -5
bucket 5
bucket 6
bucket 9223372036854775807
bucket -9223372036854775808
==
-6 0
-5 1
5 11
6 12
9223372036854775807 0
-9223372036854775808 0
EOF
t "linear buckets, wrapping below" linear 5 10 1 <<'EOF'
bucket -9223372036854775808
==
-9223372036854775808 7
EOF

# stap adds 1 to INT64_MAX / 1 before clamping, and overflows
t "linear buckets, interval 1" linear 0 2 1 <<'EOF'
bucket 9223372036854775807
==
9223372036854775807 4
EOF

# (stop - start) / interval + 3, from 3 to 128; stap takes a stop at
# the start, or less than an interval below it
for c in "0 100 10 13" "0 0 1 3" "0 125 1 128" "0 126 1 -1" "0 10 0 -1" \
    "0 10 -1 -1" "10 0 1 -1" "10 5 10 3" "10 0 10 -1" "0 9 10 3" \
    "-9223372036854775808 9223372036854775807 1 -1" \
    "-9223372036854775808 9223372036854775807 4611686018427387904 6"; do
	# shellcheck disable=SC2086
	set -- $c
	t "nbuckets $1 $2 $3" linear "$1" "$2" "$3" <<EOF
nbuckets
==
$4
EOF
done

# A few positive values: no negative rows, and only one empty row, 0,
# before 1
t "log" log <<'EOF'
v 1
v 2 2
v 3
v 5 3
v 100
print
==
value |-------------------------------------------------- count
    0 |                                                   0
    1 |@                                                  1
    2 |@@@                                                3
    4 |@@@                                                3
    8 |                                                   0
   16 |                                                   0
   32 |                                                   0
   64 |@                                                  1
  128 |                                                   0
  256 |                                                   0

EOF

t "log, negative" log <<'EOF'
v -1 2
v -6
v 0 3
v 3
print
==
value |-------------------------------------------------- count
  -16 |                                                   0
   -8 |                                                   0
   -4 |@                                                  1
   -2 |                                                   0
   -1 |@@                                                 2
    0 |@@@                                                3
    1 |                                                   0
    2 |@                                                  1
    4 |                                                   0
    8 |                                                   0

EOF

# Empty rows more than two away from a used one collapse into "~"; a
# count over 50 scales the bars, here by 3 (120 / 50 rounded up)
t "log, elision and scale" log <<'EOF'
v 1 120
v 1000000 7
print
==
  value |-------------------------------------------------- count
      0 |                                                     0
      1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           120
      2 |                                                     0
      4 |                                                     0
        ~
 131072 |                                                     0
 262144 |                                                     0
 524288 |@@                                                   7
1048576 |                                                     0
2097152 |                                                     0

EOF

# The first and last buckets, and the widest labels
t "log, extremes" log <<'EOF'
v -9223372036854775808
v 9223372036854775807
print
==
               value |-------------------------------------------------- count
-9223372036854775808 |@                                                  1
-4611686018427387904 |                                                   0
-2305843009213693952 |                                                   0
                     ~
 1152921504606846976 |                                                   0
 2305843009213693952 |                                                   0
 4611686018427387904 |@                                                  1

EOF

# The underflow and overflow rows; ">100" holds 110 and up
t "linear" linear 0 100 10 <<'EOF'
v -5 2
v 0
v 15 3
v 100
v 105
v 110
v 1000
print
==
value |-------------------------------------------------- count
   <0 |@@                                                 2
    0 |@                                                  1
   10 |@@@                                                3
   20 |                                                   0
   30 |                                                   0
      ~
   80 |                                                   0
   90 |                                                   0
  100 |@@                                                 2
 >100 |@@                                                 2

EOF

# One bucket used, the first: the empty underflow is not shown
t "linear, first bucket" linear 0 50 10 <<'EOF'
v 0
print
==
value |-------------------------------------------------- count
    0 |@                                                  1
   10 |                                                   0
   20 |                                                   0

EOF

# One bucket used, the last, which holds stop and what is above it up
# to an interval: the empty overflow is not shown
t "linear, last bucket" linear 0 50 10 <<'EOF'
v 50
v 59
print
==
value |-------------------------------------------------- count
   30 |                                                   0
   40 |                                                   0
   50 |@@                                                 2

EOF

# stap sizes the value column from one interval past the last row,
# 9000 * 12, a column more than the labels need
t "linear, width" linear 0 99000 9000 <<'EOF'
b 12 1
print
==
 value |-------------------------------------------------- count
 81000 |                                                   0
 90000 |                                                   0
 99000 |@                                                  1

EOF

t "linear, only the underflow" linear -50 50 25 <<'EOF'
v -100
print
==
value |-------------------------------------------------- count
 <-50 |@                                                  1
  -50 |                                                   0
  -25 |                                                   0

EOF

# stap fails with "empty aggregate" instead; the caller says so
t "log, empty" log <<'EOF'
print
==
EOF
t "linear, empty" linear 0 100 10 <<'EOF'
v 5
clear
print
==
EOF

t "elision, linear" linear 0 1500 50 <<'EOF'
v 444
v 999
print
clear
v 444
v 500
print
clear
v 0
print
clear
v 50
print
clear
v 1450
print
clear
v 1500
print
==
value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |                                                   0
      ~
  850 |                                                   0
  900 |                                                   0
  950 |@                                                  1
 1000 |                                                   0
 1050 |                                                   0

value |-------------------------------------------------- count
  300 |                                                   0
  350 |                                                   0
  400 |@                                                  1
  450 |                                                   0
  500 |@                                                  1
  550 |                                                   0
  600 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
   50 |                                                   0
  100 |                                                   0

value |-------------------------------------------------- count
    0 |                                                   0
   50 |@                                                  1
  100 |                                                   0
  150 |                                                   0

value |-------------------------------------------------- count
 1350 |                                                   0
 1400 |                                                   0
 1450 |@                                                  1
 1500 |                                                   0

value |-------------------------------------------------- count
 1400 |                                                   0
 1450 |                                                   0
 1500 |@                                                  1

EOF

t "elision, negative start" linear -100 100 10 <<'EOF'
v -10
print
clear
v 0
print
==
value |-------------------------------------------------- count
  -30 |                                                   0
  -20 |                                                   0
  -10 |@                                                  1
    0 |                                                   0
   10 |                                                   0

value |-------------------------------------------------- count
  -20 |                                                   0
  -10 |                                                   0
    0 |@                                                  1
   10 |                                                   0
   20 |                                                   0

EOF

t "elision, log" log <<'EOF'
v 128
print
clear
v 0
print
clear
v -2
v -4096
print
==
value |-------------------------------------------------- count
   32 |                                                   0
   64 |                                                   0
  128 |@                                                  1
  256 |                                                   0
  512 |                                                   0

value |-------------------------------------------------- count
    0 |@                                                  1
    1 |                                                   0
    2 |                                                   0

 value |-------------------------------------------------- count
-16384 |                                                   0
 -8192 |                                                   0
 -4096 |@                                                  1
 -2048 |                                                   0
 -1024 |                                                   0
       ~
    -8 |                                                   0
    -4 |                                                   0
    -2 |@                                                  1
    -1 |                                                   0
     0 |                                                   0

EOF

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
