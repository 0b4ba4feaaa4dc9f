#!/bin/sh
# The oracle: SystemTap's own parser, stap -p1, must accept every script
# we accept (a .tree or .out golden) and reject every one we reject (an
# .err golden).  Run from tests/ by tests/run; skips without stap.
#
# Known differences, on purpose (not run through stap):
#   errors/nul.stp              stap stops reading at a NUL byte and
#                               accepts; we refuse the file
#   errors/macro_recursion.stp  stap expands a recursive macro forever;
#                               we stop at a depth limit
#   errors/macro_explosion.stp  stap takes its time over 2^21 tokens;
#                               we stop at 2^20
#   errors/macro_doubling.stp   stap expands a recursive doubling macro
#                               until it is killed; we stop once
#   errors/bad_escapes.stp      stap passes bad escapes to the C
#                               compiler, which refuses them in pass 4;
#                               we refuse them while lexing
known="errors/nul.stp errors/macro_recursion.stp errors/macro_explosion.stp"
known="$known errors/macro_doubling.stp errors/bad_escapes.stp"

if ! command -v stap >/dev/null 2>&1 ||
    ! echo 'probe begin { }' | timeout 60 stap -p1 - >/dev/null 2>&1; then
	echo "needs systemtap's stap -p1"
	exit 77
fi

fail=0
for stp in parse/*.stp pp/*.stp errors/*.stp; do
	[ -e "$stp" ] || continue
	case " $known " in *" $stp "*) continue ;; esac
	base=${stp%.stp}
	if [ -f "$base.err" ]; then
		want=1
	elif [ -f "$base.tree" ] || [ -f "$base.out" ]; then
		want=0
	else
		continue
	fi
	g=
	case " $(sed -n 's/^#opts: *//p' "$stp" | head -n 1) " in
	*" -g "*) g=-g ;;
	esac
	a=$(sed -n 's/^#args: *//p' "$stp" | head -n 1)
	# shellcheck disable=SC2086
	timeout 60 stap -p1 $g "$stp" $a >/dev/null 2>&1
	rc=$?
	if [ $rc -ne $want ]; then
		echo "$stp: stap -p1 exit $rc, we say $want"
		fail=1
	fi
done
exit $fail
