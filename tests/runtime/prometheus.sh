#!/bin/sh
# The prometheus probe (tapset/prometheus.stp) and the
# @prometheus_dump_* macros (prometheus.stpm): an exporter reading
# __prometheus gets Prometheus' text format, a line an element, indexes
# quoted and escaped as string_quoted() does, values as text_str(),
# what stock stap 4.8 --runtime=bpf gives for the same script (checked
# by hand; elements come in foreach's order, so lines are compared
# sorted).
cd "$(dirname "$0")/.." || exit 2
. runtime/shell.inc
cat >"$tmp/x.stp" <<'STP'
global a, b, c
probe begin {
	a["read"] = 3; a["wr\"ite"] = 10
	b["x", 1] = 5; b["y\n", 2] = -7
	c["/usr/bin/x y"] = 2
}
function twice:string(x:long) { return sprint(2 * x) }
probe prometheus {
	$value .= "# TYPE n counter\n"
	@prometheus_dump_array1(a, "n", "name")
	@prometheus_dump_array2_map(b, "b_total", "s", "pid", twice, sprint,
	    sprint)
	@prometheus_dump_array1_map_unquoted(c, "c", "k", sprint, sprint)
}
STP
compile "$tmp/x.stp"
d=$tmp/p
"$BIN/stap-bpfld" --procfs-dir "$d" "$tmp/x.bo" >"$tmp/out" 2>"$tmp/err" &
pid=$!
guard $pid 60
i=0
while [ ! -p "$d/__prometheus" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
timeout 20 cat "$d/__prometheus" >"$tmp/got" || fail "cat: $?"
kill -INT $pid
wait $pid
rc=$?
unguard
[ $rc = 0 ] || fail "exit $rc after SIGINT"
cat >"$tmp/want" <<'EOF2'
# TYPE n counter
b_total{s="x",pid="1"} 10
b_total{s="y\n",pid="2"} -14
c{k=/usr/bin/x y} 2
n{name="read"} 3
n{name="wr\"ite"} 10
EOF2
LC_ALL=C sort "$tmp/got" | cmp -s "$tmp/want" - ||
    fail "got: $(cat "$tmp/got") $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "stdout: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "stderr: $(cat "$tmp/err")"
[ -e "$d" ] && fail "$d left after SIGINT"
[ $fails = 0 ]
