#!/bin/sh
# stap-bpf: stap's command line over the pipeline
#
#     stap-parse | stap-resolve | stap-bpfgen > x.bo; stap-bpfld x.bo
#
# Each pass writes its artifact into a scratch directory, so -p N can
# stop after any of them and -v can time each one.  The .bo is kept in
# a cache keyed by everything that goes into it; a hit skips passes 1
# to 3.  The tools are looked for beside this script first, then on
# PATH, so it runs the same from build/bin and installed.
#
# SPDX-License-Identifier: GPL-2.0-or-later
prog=stap-bpf

usage() {
	cat <<'EOF'
usage: stap-bpf [options] (FILE | -e SCRIPT | -) [ARG...]
       stap-bpf [options] (-l | -L) PATTERN
  -e SCRIPT        run SCRIPT instead of a file
  -p N             stop after pass N: 1 the parsed tree, 2 the resolved
                   tree, 3 the .bo's listing, 4 build the .bo and print
                   its path, 5 run it (default)
  -o FILE          write the script's output to FILE
  -c CMD           run CMD once the probes are attached; stop when it
                   exits; target() is its pid
  -x PID           target() is PID
  -T SECONDS       stop after SECONDS
  -m NAME          name the module NAME (its procfs files' directory)
  -v               say what each pass did and how long it took
  -g               guru mode: allow embedded C code
  -D NAME=VALUE    define NAME for the compiler
  -I DIR           also look for tapset scripts and macros in DIR
  -w               suppress warnings
  -l PATTERN       list the probe points PATTERN matches
  -L PATTERN       list them with their context variables and types
  --runtime=bpf, --bpf   accepted: BPF is the only runtime
  --disable-cache  neither use nor fill the cache
  --poison-cache   rebuild, ignoring the cache, then fill it
  --help, --version
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 1
}

# The tools: beside this script (build/bin, PREFIX/bin), else on PATH
self=$0
case $self in */*) ;; *) self=$(command -v -- "$self") ;; esac
here=$(cd "$(dirname -- "$self")" 2>/dev/null && pwd)
tool() {
	if [ -n "$here" ] && [ -x "$here/$1" ]; then
		echo "$here/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	else
		die "cannot find '$1' beside $self or on PATH"
	fi
}

script='' efile='' pass=5 out='' cmd='' pid='' secs='' verbose=0 warn=1
module=''
poison=0 pset='' list='' listvars=''
cache=1 parseopts='' incdirs='' incopts=''
# Options are kept as quoted words, so eval set -- gets them back
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
addparse() { parseopts="$parseopts $(quote "$1")"; }

while getopts ':e:p:o:c:x:T:m:vgD:I:wl:L:hV-:' o; do
	case $o in
	e) script=$OPTARG efile=1 ;;
	p)
		case $OPTARG in
		[1-5]) pass=$OPTARG pset=1 ;;
		*) die "invalid pass number '$OPTARG' (1-5)" ;;
		esac ;;
	o) out=$OPTARG ;;
	c) cmd=$OPTARG ;;
	x)
		# stap's wording; the loader would only say so after the
		# compile, and with its own status
		case $OPTARG in
		'' | *[!0-9]*) die "invalid target process ID number" \
			    "'$OPTARG'" ;;
		esac
		pid=$OPTARG ;;
	T)
		case $OPTARG in
		'' | *[!0-9.]* | *.*.* | . | *.) bad=1 ;;
		*) bad=$(echo "$OPTARG" | awk '{ print ($1 > 0) ? 0 : 1 }') ;;
		esac
		[ "$bad" = 0 ] || die "invalid timeout interval '$OPTARG'"
		secs=$OPTARG ;;
	m)
		# stap's rule: what a C identifier may hold
		case $OPTARG in
		'' | *[!A-Za-z0-9_]*) die "invalid module name" \
			    "'$OPTARG': letters, digits and _ only" ;;
		esac
		module=$OPTARG ;;
	v) verbose=$((verbose + 1)) ;;
	g) addparse -g ;;
	D) addparse -D; addparse "$OPTARG" ;;
	I)
		[ -d "$OPTARG" ] || die "-I '$OPTARG': not a directory"
		incdirs="$incdirs $(quote "$OPTARG")"
		incopts="$incopts -I $(quote "$OPTARG")" ;;
	w) warn=0 ;;
	l | L)
		[ -n "$list" ] && die "only one of the -l/-L switches may" \
		    "be specified"
		list=$OPTARG
		[ $o = L ] && listvars='=vars' ;;
	h) usage; exit 0 ;;
	V) echo "stap-bpf $("$(tool stap-parse)" --version |
		    sed 's/^stap-parse //')"; exit 0 ;;
	-)
		case $OPTARG in
		help) usage; exit 0 ;;
		version) echo "stap-bpf $("$(tool stap-parse)" --version |
			    sed 's/^stap-parse //')"; exit 0 ;;
		runtime=bpf | bpf) ;;
		runtime)
			# --runtime NAME, as getopt_long takes it
			[ $OPTIND -le $# ] ||
			    die "option '--runtime' needs an argument"
			eval "rt=\${$OPTIND}"
			OPTIND=$((OPTIND + 1))
			[ "$rt" = bpf ] || die "runtime '$rt' is not" \
			    "supported: only --runtime=bpf" ;;
		runtime=*) die "runtime '${OPTARG#runtime=}' is not" \
			    "supported: only --runtime=bpf" ;;
		disable-cache) cache=0 ;;
		poison-cache) poison=1 ;;
		*) die "option '--${OPTARG%%=*}' is not supported" ;;
		esac ;;
	:) die "option '-$OPTARG' needs an argument" ;;
	\?) die "option '-$OPTARG' is not supported" ;;
	esac
done
shift $((OPTIND - 1))
if [ -n "$list" ]; then
	# as stap: the arguments after the pattern are the (unused)
	# script's, but a script itself or a pass makes no sense
	[ -n "$efile" ] && die "cannot specify a script with -l/-L"
	[ -n "$pset" ] && die "cannot specify -p with -l/-L"
	RESOLVE=$(tool stap-resolve) || exit 1
	eval "exec \"\$RESOLVE\" $incopts --list\$listvars \"\$list\""
fi
[ -n "$cmd" ] && [ -n "$pid" ] && die "-c and -x cannot be used together"
if [ -z "$efile" ]; then
	[ $# -gt 0 ] || die "a script must be specified: FILE, -e SCRIPT" \
	    "or - (see --help)"
	file=$1
	shift
	if [ "$file" != - ]; then
		[ -e "$file" ] || die "input file '$file' is missing"
		[ -f "$file" ] && [ -r "$file" ] || die "cannot read '$file'"
	fi
fi

PARSE=$(tool stap-parse) || exit 1
RESOLVE=$(tool stap-resolve) || exit 1
GEN=$(tool stap-bpfgen) || exit 1
LD=$(tool stap-bpfld) || exit 1
FMT=$(tool stap-fmt) || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stap-bpf.XXXXXX") ||
    die "cannot make a scratch directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# A script from stdin is read once: the key needs its text, and
# stap-parse still reads it from its stdin, so it names it as its own
if [ -z "$efile" ] && [ "$file" = - ]; then
	cat >"$tmp/stdin.stp" || die "cannot read the script from stdin"
fi

# sum: a digest of stdin
if command -v sha256sum >/dev/null 2>&1; then
	sum() { sha256sum | cut -d' ' -f1; }
else
	sum() { cksum | tr ' ' -; }
fi

# Times for -v, in stap's form: user and system of the children, and
# real, in ms.  times must run in this shell (a subshell has its own).
# now sets t to the time now, as "real-ns user sys"; elapsed sets e
# to the time since one, in stap's form
now() {
	t=$(date +%s%N)
	case $t in *N) t=$(($(date +%s) * 1000000000)) ;; esac
	times >"$tmp/times"
	{ read -r _ _; read -r u s; } <"$tmp/times"
	t="$t $u $s"
}
elapsed() {	# start, as now set t
	t0=$1
	now
	e=$(echo "$t0 $t" | awk '
	function ms(s,  m) {	# 1m2.345s
		m = s; sub(/m.*/, "", m); sub(/^[^m]*m/, "", s); sub(/s$/, "", s)
		return int((m * 60 + s) * 1000 + 0.5)
	}
	{ printf "%dusr/%dsys/%dreal ms.\n", ms($5) - ms($2),
	    ms($6) - ms($3), ($4 - $1) / 1000000 }')
}
say() { [ $verbose -gt 0 ] && echo "$*" >&2; return 0; }

# -w: drop each warning with its source, caret and note lines
filter() {
	if [ $warn = 1 ]; then
		cat "$1" >&2
	else
		awk '/: warning: /{ skip = 1; next }
		    skip && (/^    / || /: note: /) { next }
		    { skip = 0; print }' "$1" >&2
	fi
}

# run NAME OUT CMD...: a pass into OUT, its stderr through filter
run() {
	name=$1 dest=$2
	shift 2
	"$@" >"$dest" 2>"$tmp/$name.err"
	rc=$?
	filter "$tmp/$name.err"
	if [ $rc != 0 ]; then
		# as stap says it (less its pointer to error::pass man pages)
		case $name in
		1) echo "Pass 1: parse failed." ;;
		2) echo "Pass 2: analysis failed." ;;
		3) echo "Pass 3: translation failed." ;;
		esac >&2
		exit 1
	fi
}

# The script's arguments, quoted like parseopts; src names the script
sargs=
for a in "$@"; do
	sargs="$sargs $(quote "$a")"
done
if [ -n "$efile" ]; then
	src="-e $(quote "$script")"
else
	src=$(quote "$file")
fi

# The cache key: the script's text, its arguments, the options that
# change code, the tapset and macro files it can include, the tools,
# and the kernel (release and BTF)
tapsets() {
	r=$(readlink -f "$RESOLVE" 2>/dev/null || echo "$RESOLVE")
	r=$(dirname "$r")
	if [ -d "$r/../../tapset" ]; then
		echo "$r/../../tapset"
	elif [ -d "$r/../share/stap-bpf/tapset" ]; then
		echo "$r/../share/stap-bpf/tapset"
	fi
	eval "printf '%s\n' $incdirs"
}
key() {
	echo "stap-bpf cache 1"
	if [ -n "$efile" ]; then
		echo "script -e $(printf '%s' "$script" | sum)"
	elif [ "$file" = - ]; then
		echo "script - $(sum <"$tmp/stdin.stp")"
	else
		echo "script $file $(sum <"$file")"
	fi
	eval "set -- $sargs"
	for a in "$@"; do
		echo "arg $(printf '%s' "$a" | sum)"
	done
	eval "set -- $parseopts"
	for o in "$@"; do
		echo "opt $o"
	done
	tapsets | while IFS= read -r d; do
		for f in "$d"/*.stp "$d"/*.stpm; do
			[ -f "$f" ] && echo "tapset $f $(sum <"$f")"
		done
	done
	for t in "$PARSE" "$RESOLVE" "$GEN" "$LD"; do
		echo "tool $("$t" --version) $(sum <"$t")"
	done
	echo "kernel $(uname -r) $(sum </sys/kernel/btf/vmlinux 2>/dev/null)"
	probed
}

# The script's text, for probed
text() {
	if [ -n "$efile" ]; then
		printf '%s\n' "$script"
	elif [ "$file" = - ]; then
		cat "$tmp/stdin.stp"
	else
		cat "$file"
	fi
}

# The files the script's process("PATH") points name, with their sums:
# a process probe is on offsets in the file, so a rebuilt program
# needs a new .bo.  (Libraries it names by .library are not followed.)
probed() {
	text | grep -o 'process("[^"]*")' | sed 's/^process("\(.*\)")$/\1/' |
	    sort -u | while IFS= read -r f; do
		p=$(command -v -- "$f" 2>/dev/null) || p=$f
		echo "probed $p $(sum <"$p" 2>/dev/null)"
	done
	# process.function(...) and process(PID): the target's file
	if text | grep -q -e 'process *\.' -e 'process *( *[0-9]'; then
		if [ -n "$pid" ]; then
			p=$(readlink -f "/proc/$pid/exe" 2>/dev/null)
		else
			p=$(command -v -- "${cmd%% *}" 2>/dev/null)
		fi
		[ -n "$p" ] && echo "probed $p $(sum <"$p" 2>/dev/null)"
		echo "target ${cmd:+-c} ${pid:+-x $pid}"
	fi
}

# valid ENTRY KEY: the entry is whole and was made for this key: its
# .sum names the key and the .bo's digest, and the .bo is an ELF file
valid() {
	[ -f "$1.bo" ] && [ -f "$1.sum" ] || return 1
	[ "$(od -An -c -N 4 "$1.bo" | tr -d ' ')" = '177ELF' ] ||
	    return 1
	[ "$(cat "$1.sum")" = "$2 $(sum <"$1.bo")" ]
}

# prune: stap's clean_cache, before a new entry goes in.  The limit in
# MiB is in cache_mb_limit, the least time between two cleanings in
# cache_clean_interval_s (256 and 300, written if missing, as stap
# does); once that time has passed since the last cleaning (the mtime
# of cache_clean_interval_s), entries go, the oldest first, until the
# cache is under the limit.  A hit does not make an entry younger:
# stap's age is the entry's, not its last use's.
mtime() { stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null; }
number() {	# FILE DEFAULT: the leading digits of FILE's first line
	n=$(sed -n '1s/^\([0-9]*\).*/\1/p' "$1" 2>/dev/null)
	echo "${n:-$2}"
}
prune() {
	lim=$cdir/cache_mb_limit ivl=$cdir/cache_clean_interval_s
	[ -f "$lim" ] || echo 256 >"$lim" 2>/dev/null
	[ -f "$ivl" ] || echo 300 >"$ivl" 2>/dev/null
	max=$(($(number "$lim" 256) * 1048576))
	then=$(mtime "$ivl") || return 0
	[ $(($(date +%s) - then)) -lt "$(number "$ivl" 300)" ] && return 0
	total=0
	for f in "$cdir"/*.bo "$cdir"/*.sum; do
		[ -f "$f" ] && total=$((total + $(wc -c <"$f")))
	done
	# the names are digests: no blanks or newlines in them
	ls -tr "$cdir" | while read -r f; do
		case $f in *.bo | *.sum) ;; *) continue ;; esac
		[ $total -lt $max ] && break
		for g in "$cdir/${f%.*}.bo" "$cdir/${f%.*}.sum"; do
			[ -f "$g" ] || continue
			total=$((total - $(wc -c <"$g")))
			rm -f "$g"
			[ $verbose -ge 2 ] &&
			    echo "Cache cleaning: removed $g" >&2
		done
	done
	touch "$ivl" 2>/dev/null
	return 0
}

cdir=${XDG_CACHE_HOME:-$HOME/.cache}/stap-bpf
bo=
if [ $pass -ge 4 ] && [ $cache = 1 ]; then
	k=$(key | sum)
	if [ $poison = 0 ] && valid "$cdir/$k" "$k"; then
		bo=$cdir/$k.bo
		say "Pass 4: using cached $bo"
	fi
fi

if [ -z "$bo" ]; then
	now; t0=$t
	[ -z "$efile" ] && [ "$file" = - ] && exec <"$tmp/stdin.stp"
	eval "run 1 \"\$tmp/tree\" \"\$PARSE\" $parseopts $incopts $src $sargs"
	elapsed "$t0"
	say "Pass 1: parsed user script in $e"
	if [ $pass = 1 ]; then
		cat "$tmp/tree"
		exit
	fi
	now; t0=$t
	# the target: what process probes without a path are on
	tgt=
	[ -n "$cmd" ] && tgt="-c $(quote "$cmd")"
	[ -n "$pid" ] && tgt="-x $(quote "$pid")"
	# -v: stap-resolve names the optional probe points it dropped
	vres=
	[ $verbose -gt 0 ] && vres=-v
	eval "run 2 \"\$tmp/resolved\" \"\$RESOLVE\" $vres $incopts $tgt \"\$tmp/tree\""
	elapsed "$t0"
	say "Pass 2: analyzed script in $e"
	if [ $pass = 2 ]; then
		cat "$tmp/resolved"
		exit
	fi
	now; t0=$t
	run 3 "$tmp/x.bo" "$GEN" "$tmp/resolved"
	elapsed "$t0"
	say "Pass 3: translated to BPF into \"$tmp/x.bo\" in $e"
	if [ $pass = 3 ]; then
		"$FMT" "$tmp/x.bo" || exit 1
		exit
	fi
	bo=$tmp/x.bo
	now; t0=$t
	if [ $cache = 1 ]; then
		# Atomically, .bo then .sum: a reader that comes between
		# the two finds a .sum that does not match and rebuilds
		if mkdir -p "$cdir" 2>/dev/null && prune &&
		    cp "$bo" "$cdir/$k.bo.$$" &&
		    echo "$k $(sum <"$bo")" >"$cdir/$k.sum.$$" &&
		    mv -f "$cdir/$k.bo.$$" "$cdir/$k.bo" &&
		    mv -f "$cdir/$k.sum.$$" "$cdir/$k.sum"; then
			bo=$cdir/$k.bo
		else
			rm -f "$cdir/$k.bo.$$" "$cdir/$k.sum.$$"
			echo "$prog: warning: cannot write the cache in" \
			    "'$cdir'" >&2
		fi
	fi
	elapsed "$t0"
	say "Pass 4: compiled BPF into \"$bo\" in $e"
fi

if [ $pass = 4 ]; then
	if [ "$bo" = "$tmp/x.bo" ]; then
		# no cache: keep it in the current directory, as stap does
		dest=stap_$(sum <"$bo" | cut -c1-16).bo
		cp "$bo" "$dest" || exit 1
		bo=$dest
	fi
	echo "$bo"
	exit 0
fi

set --
[ -n "$out" ] && set -- "$@" -o "$out"
[ -n "$secs" ] && set -- "$@" -T "$secs"
[ -n "$cmd" ] && set -- "$@" -c "$cmd"
[ -n "$pid" ] && set -- "$@" -x "$pid"
[ -n "$module" ] && set -- "$@" -m "$module"
[ $verbose -ge 2 ] && set -- "$@" -v
if [ $verbose = 0 ]; then
	# Nothing left to do after the run: stap-bpfld takes this
	# process, so signals reach it alone and its status is ours.  A
	# .bo in the scratch directory goes with it, held open.
	if [ "$bo" = "$tmp/x.bo" ]; then
		exec 3<"$bo" || exit 1
		bo=/dev/fd/3
	fi
	rm -rf "$tmp"
	trap - EXIT
	exec "$LD" "$@" "$bo"
fi
say "Pass 5: starting run."
now; t0=$t
# A ^C reaches stap-bpfld from the terminal; this shell waits for it
trap ':' INT
"$LD" "$@" "$bo"
rc=$?
elapsed "$t0"
say "Pass 5: run completed in $e"
exit $rc
