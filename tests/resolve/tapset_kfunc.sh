#!/bin/sh
# The tapset's aliases over kernel functions (tapset/vfs.stp, tcp.stp,
# udp.stp, ip.stp, dentry.stp), compiled against this machine's BTF
# and kallsyms: their variables and types as --list=vars shows them
# (stap -L), the .return aliases' @entry kept only for what a probe
# reads, and every alias through stap-bpfgen.  Run from tests/.
BIN=${BIN:-../build/bin}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }
[ -r /sys/kernel/btf/vmlinux ] || { echo "skip: no kernel BTF"; exit 77; }
grep -q ' vfs_read$' /proc/kallsyms 2>/dev/null ||
    { echo "skip: no vfs_read in /proc/kallsyms"; exit 77; }

# the variables, as stap documents them, typed
$BIN/stap-resolve --list=vars 'vfs.read.return' >"$tmp/l" ||
    fail "--list=vars vfs.read.return"
want='vfs.read.return name:string retstr:string file:long pathname:string pos:long buf:long bytes_to_read:long dev:long devname:string ino:long ret:long bytes_read:long error:long error_str:string $return:ssize_t'
[ "$(cat "$tmp/l")" = "$want" ] || fail "vfs.read.return: $(cat "$tmp/l")"
$BIN/stap-resolve --list=vars 'udp.sendmsg.return' >"$tmp/l" ||
    fail "--list=vars udp.sendmsg.return"
want='udp.sendmsg.return name:string size:long family:long saddr:string daddr:string sport:long dport:long $return:int'
[ "$(cat "$tmp/l")" = "$want" ] || fail "udp.sendmsg.return: $(cat "$tmp/l")"
$BIN/stap-resolve --list 'tcp.*' >"$tmp/l" || fail "--list tcp.*"
for p in tcp.disconnect tcp.receive tcp.recvmsg tcp.sendmsg \
    tcp.setsockopt; do
	grep -qx "$p" "$tmp/l" || fail "--list tcp.* lacks $p"
done
# a tapset file's begin probe is not one of the listing's (it was a
# bug() before)
$BIN/stap-resolve --tracefs resolve/tracefs --list=vars \
    'syscall.read.return' >"$tmp/l" 2>&1 || fail "syscall.read.return"
grep -q '^syscall.read.return name:string ' "$tmp/l" ||
    fail "syscall.read.return: $(cat "$tmp/l")"

# an @entry whose local no one reads costs no entry probe
probes() {
	$BIN/stap-parse -e "$1" | $BIN/stap-resolve | grep -c '^probe '
}
[ "$(probes 'probe vfs.read.return { println(bytes_read) }')" = 1 ] ||
    fail "an unread @entry made an entry probe"
[ "$(probes 'probe vfs.read.return { println(bytes_to_read, devname) }')" = 2 ] ||
    fail "bytes_to_read and devname: not one entry probe"
[ "$(probes 'probe tcp.recvmsg.return { println(saddr, sport) }')" = 2 ] ||
    fail "tcp.recvmsg.return: not one entry probe"

# every alias and every variable, to a .bo
cat >"$tmp/all.stp" <<'STP'
probe vfs.read, vfs.write, vfs.readv, vfs.writev {
	printf("%s %d %s %d %d %s %s\n", name, file, pathname, dev, ino,
	    devname, argstr)
}
probe vfs.read.return, vfs.write.return, vfs.readv.return,
    vfs.writev.return {
	printf("%s %s %d %s %d %d %s %d %s\n", name, retstr, file, pathname,
	    dev, ino, devname, error, error_str)
}
probe vfs.open { printf("%s %s %s\n", name, pathname, argstr) }
probe vfs.open.return { printf("%s %s %s\n", name, pathname, retstr) }
probe tcp.recvmsg, tcp.disconnect, udp.sendmsg, udp.recvmsg,
    udp.disconnect {
	printf("%s %d %s %s %d %d\n", name, family, saddr, daddr, sport,
	    dport)
}
probe tcp.recvmsg.return, udp.sendmsg.return, udp.recvmsg.return,
    udp.disconnect.return {
	printf("%s %d %s %s %d %d\n", name, family, saddr, daddr, sport,
	    dport)
}
probe tcp.sendmsg { printf("%s %d %d %d\n", name, sock, family, size) }
probe tcp.sendmsg.return, tcp.disconnect.return, tcp.setsockopt.return {
	printf("%s\n", name)
}
probe tcp.setsockopt { printf("%s %d %d %d\n", name, level, optname, optlen) }
probe tcp.receive {
	printf("%s %d %s %s %d %d %d %d%d%d%d%d%d %d %d %d\n", name, family,
	    saddr, daddr, sport, dport, protocol, urg, ack, psh, rst, syn,
	    fin, seq, ackseq, window)
}
probe kernel.function("tcp_retransmit_skb") {
	printf("%d %s %d %d %d %d %s %d %s\n", tcp_get_info_rto($sk),
	    tcp_sockstate_str(tcp_ts_get_info_state($sk)),
	    tcp_get_info_snd_cwnd($sk), tcp_ts_get_info_snd_ssthresh($sk),
	    tcp_ts_get_info_rcv_mss($sk), inet_get_local_port($sk),
	    inet_get_ip_source($sk), inet_get_dest_port($sk),
	    inet_get_ip_dest($sk))
}
probe kernel.function("vfs_read").return {
	printf("%d %s %d\n", returnval(), returnstr(1), usrdev2kerndev(0))
}
STP
$BIN/stap-parse "$tmp/all.stp" | $BIN/stap-resolve 2>"$tmp/err" |
    $BIN/stap-bpfgen >"$tmp/all.bo" || { cat "$tmp/err"; fail "all aliases"; }
grep -q error "$tmp/err" && { cat "$tmp/err"; fail "errors"; }
exit 0
