#!/bin/sh
# stap-bpf -l and -L, through stap-resolve --list: the points a pattern
# matches, sorted, once, as stap prints them; tapset aliases by their
# own names; -L with each point's context variables and C types; exit
# 1 when nothing matches; the options stap refuses with -l.
cd "$(dirname "$0")/.." || exit 2
. driver/driver.inc
R=$BIN/stap-resolve
FS=resolve/tracefs

# rs NAME ARGS...: stap-resolve on the copy of tracefs in resolve/
rs() {
	n=$1
	shift
	timeout 60 "$R" --tracefs "$FS" "$@" >"$tmp/$n.out" \
	    2>"$tmp/$n.err"
	echo $? >"$tmp/$n.rc"
}

# Tracepoints, by wildcards in the group and the name
rs tp --list 'kernel.trace("s*:sys_*_read")'
expect tp 0 'kernel.trace("syscalls:sys_enter_read")
kernel.trace("syscalls:sys_exit_read")'
rs tpv --list=vars 'kernel.trace("sched:*")'
expect tpv 0 'kernel.trace("sched:sched_process_exec") $filename:__data_loc char[] $pid:pid_t $old_pid:pid_t
kernel.trace("sched:sched_switch") $prev_comm:char[16] $prev_pid:pid_t $prev_prio:int $prev_state:long $next_comm:char[16] $next_pid:pid_t $next_prio:int'
rs open --list=vars 'kernel.trace("sys_enter_openat")'
expect open 0 'kernel.trace("syscalls:sys_enter_openat") $__syscall_nr:int $dfd:int $filename:const char* $flags:int $mode:umode_t'

# Aliases by name, with their locals typed; a point listed once
# whatever it expands to; an alias that matches nothing is left out,
# and the others still get their types
mkdir "$tmp/tapset"
cat >"$tmp/tapset/a.stp" <<'EOS'
probe my.one = begin { name = "one"; n = 1 }
probe my.two = kernel.trace("sched:sched_switch") { name = "two"; who = $next_pid }
probe my.both = kernel.trace("sched:*") { s = "x" }
probe my.bad = nosuch.point { name = "bad" }
probe my.one.return = end { r = 1 }
probe single = end, error { }
EOS
rs al -I "$tmp/tapset" --list=vars 'my.*'
expect al 0 'my.both s:string
my.one name:string n:long
my.two name:string who:long $prev_comm:char[16] $prev_pid:pid_t $prev_prio:int $prev_state:long $next_comm:char[16] $next_pid:pid_t $next_prio:int'
rs all -I "$tmp/tapset" --list '*'
expect all 0 'begin
end
error
never
oneshot
prometheus
single'
rs two -I "$tmp/tapset" --list 'my.*.return,  my.*e,begin, begin'
expect two 0 'begin
my.one
my.one.return'

# The families without arguments match by wildcards too; with one,
# the point itself
rs perf --list 'perf.sw.*_faults*'
expect perf 0 'perf.sw.alignment_faults
perf.sw.emulation_faults
perf.sw.page_faults
perf.sw.page_faults_maj
perf.sw.page_faults_min'
rs timer --list=vars 'timer.ms(100)'
expect timer 0 'timer.ms(100)'

# Nothing matches: nothing printed, exit 1, as stap; a pattern that
# does not parse says why
rs none --list 'kernel.trace("nosuch:*")'
expect none 1 ''
[ -s "$tmp/none.err" ] && fail "none: stderr: $(cat "$tmp/none.err")"
rs bad --list 'foo('
expect bad 1 ''
errhas bad '<input>:1:12: error: expected literal string or number'
rs inj --list 'begin {} probe end'
expect inj 1 ''
errhas inj "stap-resolve: 'begin {} probe end' is not a probe point list"

# The driver, on this kernel
if [ "$(id -u)" = 0 ]; then
	needbpf
	ev=/sys/kernel/tracing/events/sched
	for d in "$ev"/*/; do
		[ -f "$d/format" ] || continue
		d=${d%/}
		echo "kernel.trace(\"sched:${d##*/}\")"
	done | LC_ALL=C sort >"$tmp/sched.want"
	sb sched -l 'kernel.trace("sched:*")'
	[ "$(cat "$tmp/sched.rc")" = 0 ] || fail "-l sched: $(cat \
	    "$tmp/sched.err")"
	cmp -s "$tmp/sched.want" "$tmp/sched.out" || fail "-l sched:* \
differs from tracefs: $(diff "$tmp/sched.want" "$tmp/sched.out" | head -5)"
	# -L: the same points, each with variables, switch's its C
	# arguments from BTF, as stap 4.2 and later list them
	sb schedv -L 'kernel.trace("sched:*")'
	cut -d' ' -f1 "$tmp/schedv.out" | cmp -s "$tmp/sched.want" - ||
	    fail "-L sched:* points differ from -l's"
	grep -q '^kernel.trace("sched:sched_switch") .*\$prev:struct task_struct\* ' \
	    "$tmp/schedv.out" || fail "-L sched_switch: $(grep switch\" \
	    "$tmp/schedv.out")"
	grep -q '^kernel.trace("sched:[a-z_]*")$' "$tmp/schedv.out" &&
	    fail "-L: a tracepoint without variables: $(grep \
	    '^kernel.trace("sched:[a-z_]*")$' "$tmp/schedv.out" | head -3)"
	# Kernel functions from BTF and kallsyms, typed from BTF
	sb vfs -l 'kernel.function("vfs_*")'
	[ "$(cat "$tmp/vfs.rc")" = 0 ] || fail "-l vfs_*: $(cat \
	    "$tmp/vfs.err")"
	LC_ALL=C sort -u "$tmp/vfs.out" | cmp -s - "$tmp/vfs.out" ||
	    fail "-l vfs_*: not sorted and unique"
	grep -qvx 'kernel.function("vfs_[a-z0-9_]*")' "$tmp/vfs.out" &&
	    fail "-l vfs_*: $(grep -vx 'kernel.function("vfs_[a-z0-9_]*")' \
	    "$tmp/vfs.out" | head -3)"
	grep -qxF 'kernel.function("vfs_read")' "$tmp/vfs.out" ||
	    fail "-l vfs_*: no vfs_read"
	sb read -L 'kernel.function("vfs_read")'
	expect read 0 'kernel.function("vfs_read") $file:struct file* $buf:char* $count:size_t $pos:loff_t*'
	sb ret -L 'kernel.function("vfs_read").return'
	expect ret 0 'kernel.function("vfs_read").return $return:ssize_t'
fi
sb nob -l 'nosuch.point'
expect nob 1 ''

# What stap refuses with -l
sb lL -l begin -L end
expect lL 1 ''
errhas lL 'stap-bpf: only one of the -l/-L switches may be specified'
sb lp -p2 -l begin
expect lp 1 ''
errhas lp 'stap-bpf: cannot specify -p with -l/-L'
sb le -l begin -e 'probe begin {}'
expect le 1 ''
errhas le 'stap-bpf: cannot specify a script with -l/-L'
sb la -l
expect la 1 ''
errhas la "stap-bpf: option '-l' needs an argument"
[ $fails = 0 ]
