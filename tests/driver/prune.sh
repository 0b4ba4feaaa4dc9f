#!/bin/sh
# The cache is pruned as stap's: before a new entry goes in, once
# cache_clean_interval_s seconds have passed since the last cleaning,
# the oldest entries go until the cache is under cache_mb_limit MiB;
# both files are written with stap's defaults (256, 300) if missing.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
S='probe begin { exit() }'

# a fake entry of SIZE KiB, made at STAMP (touch -t)
fake() {	# name, KiB, stamp
	dd if=/dev/zero of="$C/$1.bo" bs=1024 count="$2" 2>/dev/null
	echo "$1 x" >"$C/$1.sum"
	touch -t "$3" "$C/$1.bo" "$C/$1.sum"
}

# the first entry writes the defaults
sb first -p4 -e "$S"
expect first 0 "$(cat "$tmp/first.out")"
[ "$(cat "$C/cache_mb_limit" 2>/dev/null)" = 256 ] ||
    fail "cache_mb_limit: '$(cat "$C/cache_mb_limit" 2>/dev/null)'"
[ "$(cat "$C/cache_clean_interval_s" 2>/dev/null)" = 300 ] ||
    fail "cache_clean_interval_s: '$(cat "$C/cache_clean_interval_s" \
    2>/dev/null)'"
first=$(cat "$tmp/first.out")
touch -t 200201010000 "$first" "${first%.bo}.sum"

# over the limit, but the interval has not passed: nothing goes
fake old 700 200001010000
fake mid 700 200101010000
echo 1 >"$C/cache_mb_limit"
touch "$C/cache_clean_interval_s"
sb early -p4 -e "$S" a
[ "$(cat "$tmp/early.rc")" = 0 ] || fail "early: $(cat "$tmp/early.err")"
[ -f "$C/old.bo" ] && [ -f "$C/mid.bo" ] && [ -f "$first" ] ||
    fail "pruned before the interval: $(ls "$C")"

# the interval passed: the oldest go until the cache is under 1 MiB
# (old alone: mid's 700 KiB and the real entries are under it), the
# newer entries stay, the new one goes in, and the cleaning is dated
echo 0 >"$C/cache_clean_interval_s"
touch -t 200301010000 "$C/cache_clean_interval_s"
: >"$tmp/ref"
sb late -vv -p4 -e "$S" b
[ "$(cat "$tmp/late.rc")" = 0 ] || fail "late: $(cat "$tmp/late.err")"
new=$(cat "$tmp/late.out")
[ -f "$C/old.bo" ] || [ -f "$C/old.sum" ] && fail "the oldest stayed"
[ -f "$C/mid.bo" ] && [ -f "$C/mid.sum" ] && [ -f "$first" ] &&
    [ -f "${first%.bo}.sum" ] || fail "a newer entry went: $(ls "$C")"
[ -f "$new" ] && [ -f "${new%.bo}.sum" ] || fail "no new entry: $new"
errhas late "Cache cleaning: removed $C/old.bo"
find "$C" -name cache_clean_interval_s -newer "$tmp/ref" | grep -q . ||
    fail "cache_clean_interval_s not touched"

# limit 0 and no interval: every older entry goes, the new one stays
echo 0 >"$C/cache_mb_limit"
sb zero -p4 -e "$S" c
z=$(cat "$tmp/zero.out")
[ "$(ls "$C"/*.bo | wc -l)" = 1 ] && [ -f "$z" ] ||
    fail "limit 0: $(ls "$C")"
# a hit does not prune
fake old 700 200001010000
sb hit -v -p4 -e "$S" c
errhas hit "Pass 4: using cached $z"
[ -f "$C/old.bo" ] || fail "a hit pruned the cache"
[ $fails = 0 ]
