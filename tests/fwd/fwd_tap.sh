#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The Labyrinth developers
#
# Real traffic through labyrinth-fwd: fwd_tap.sh EXE MODE
# Two net_tap ports (net_tap0,iface=lfw<pid>a and net_tap1,iface=lfw<pid>b);
# each kernel-side tap is moved into a network
# namespace of its own (10.98.0.1/24 and 10.98.0.2/24), and labyrinth-fwd
# bridges them. Checks: 100 pings each way with 0% loss, then a 32 MiB TCP
# transfer whose SHA-256 matches at the receiver; then SIGTERM, exit 0,
# nothing leaked.
#
# macswap swaps the Ethernet addresses, which breaks a plain bridge. For
# that mode both taps get the same MAC address M, and each side's static
# neighbour entry for the other names a made-up address (02:00:00:00:00:0x):
# a frame leaves with dst 02:..., src M and arrives with dst M only if the
# forwarder really swapped the addresses, so the test checks the swap.
#
# Skips (77) where /dev/net/tun or network namespaces are missing.

# shellcheck source=tests/fwd/lib.sh
. "$(dirname "$0")/lib.sh"

EXE=$1
MODE=${2:-io}
[ -x "$EXE" ] || fail "no executable '$EXE'"
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces and taps"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip command (iproute2)"

NS0=lfwd-ns0-$$
NS1=lfwd-ns1-$$
# Names of our own, so that two runs (two build directories) can overlap.
TAP0=lfw$$a
TAP1=lfw$$b
ADDR0=10.98.0.1
ADDR1=10.98.0.2
PORT=5201
SIZE_MB=32
PFX=$(prefix "tap-$MODE")
JSON=$FWD_TMP/summary.json
LOG=$FWD_TMP/out.log
PID=""

ip netns add "$NS0" 2>/dev/null || skip "cannot create a network namespace"
FWD_CLEANUP='[ -n "$PID" ] && kill -9 $PID 2>/dev/null; wait 2>/dev/null;
	ip netns del "$NS0" 2>/dev/null; ip netns del "$NS1" 2>/dev/null'
ip netns add "$NS1" || fail "cannot create a second network namespace"
if ip link show "$TAP0" >/dev/null 2>&1 || ip link show "$TAP1" >/dev/null 2>&1; then
	fail "$TAP0 or $TAP1 already exists (another run?)"
fi

# shellcheck disable=SC2046
"$EXE" -l 0-1 $(eal_mem_args) --no-pci --file-prefix "$PFX" \
	--vdev "net_tap0,iface=$TAP0" --vdev "net_tap1,iface=$TAP1" -- \
	--mode "$MODE" --stats-interval 2 --stats-json "$JSON" >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
	grep -q "worker lcore(s)" "$LOG" && break
	kill -0 $PID 2>/dev/null || { cat "$LOG"; fail "labyrinth-fwd died"; }
	sleep 0.1
done
grep -q "worker lcore(s)" "$LOG" || { cat "$LOG"; fail "labyrinth-fwd did not start"; }

# nsx NS CMD...: run in a namespace.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

setup_side() {
	local ns=$1 tap=$2 addr=$3
	ip link set "$tap" netns "$ns" || fail "cannot move $tap into $ns"
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
	nsx "$ns" ip link set lo up
	nsx "$ns" ip addr add "$addr/24" dev "$tap"
	nsx "$ns" ip link set "$tap" up
}
setup_side "$NS0" "$TAP0" "$ADDR0"
setup_side "$NS1" "$TAP1" "$ADDR1"
if [ "$MODE" = macswap ]; then
	MAC=$(nsx "$NS0" cat "/sys/class/net/$TAP0/address")
	nsx "$NS1" ip link set "$TAP1" address "$MAC"
	nsx "$NS0" ip neigh replace "$ADDR1" lladdr 02:00:00:00:00:02 \
		dev "$TAP0" nud permanent
	nsx "$NS1" ip neigh replace "$ADDR0" lladdr 02:00:00:00:00:01 \
		dev "$TAP1" nud permanent
fi

# Pings: a few to warm up (ARP), then 100 each way, 0% loss.
nsx "$NS0" ping -c 3 -i 0.2 -W 2 "$ADDR1" >/dev/null 2>&1
for dir in "$NS0 $ADDR1" "$NS1 $ADDR0"; do
	set -- $dir
	out=$(nsx "$1" ping -c 100 -i 0.01 -W 2 -q "$2" 2>&1)
	echo "$out" | tail -2
	echo "$out" | grep -q " 0% packet loss" ||
		{ cat "$LOG"; fail "ping from $1 to $2 lost packets"; }
	ok "100 pings $1 -> $2, 0% loss"
done

# TCP: 32 MiB of random data from ns0 to ns1, SHA-256 compared.
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$FWD_TMP/send.bin"
SUM_SENT=$(sha256sum <"$FWD_TMP/send.bin" | cut -d' ' -f1)
nsx "$NS1" timeout 120 python3 - "$ADDR1" "$PORT" "$FWD_TMP/recv.sum" <<'PYEOF' &
import hashlib, socket, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(1)
conn, _ = srv.accept()
h, n = hashlib.sha256(), 0
while True:
    b = conn.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
conn.close()
with open(sys.argv[3], "w") as f:
    f.write("%s %d\n" % (h.hexdigest(), n))
PYEOF
RX_PID=$!
sleep 0.5
start=$(date +%s.%N)
nsx "$NS0" timeout 120 python3 - "$ADDR1" "$PORT" "$FWD_TMP/send.bin" <<'PYEOF' ||
import socket, sys, time
for attempt in range(20):
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("cannot connect")
with open(sys.argv[3], "rb") as f:
    s.sendfile(f)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
PYEOF
	{ cat "$LOG"; fail "TCP sender failed"; }
wait $RX_PID || { cat "$LOG"; fail "TCP receiver failed"; }
end=$(date +%s.%N)
read -r SUM_RECV NB_RECV <"$FWD_TMP/recv.sum"
echo "sent $SUM_SENT, received $SUM_RECV ($NB_RECV bytes) in" \
	"$(echo "$end - $start" | bc 2>/dev/null || echo '?') s"
[ "$NB_RECV" -eq $((SIZE_MB * 1024 * 1024)) ] || fail "received $NB_RECV bytes"
[ "$SUM_SENT" = "$SUM_RECV" ] || fail "SHA-256 mismatch"
ok "$SIZE_MB MiB over TCP, SHA-256 matches"

kill -TERM $PID
wait $PID
rc=$?
PID=""
cat "$LOG"
[ $rc -eq 0 ] || fail "exit code $rc after SIGTERM"
ok "exit code 0 after SIGTERM"
json_check "$JSON" \
	"j['mode'] == '$MODE'" \
	'j["totals"]["tx"] > 23000' \
	|| fail "JSON summary"
json_check_common "$JSON" || fail "JSON invariants"
echo "PASS: net_tap $MODE: pings and TCP through labyrinth-fwd"
