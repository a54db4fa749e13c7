#!/usr/bin/env bash
# Puts a Wi-Fi interface into monitor mode on a Remote ID channel, for `rid-scan --wifi IFACE` (receive)
# and the broadcaster's inject back-end (wifi-beacon inject, wifi-nan). Undo with --restore.
#
#   sudo hardware/wifi/monitor-setup.sh IFACE [CHANNEL] [--country XX]
#   sudo hardware/wifi/monitor-setup.sh --restore IFACE
#
# CHANNEL defaults to 6 (2437 MHz); Remote ID uses 6 and 149 (5745 MHz). --country sets the regulatory
# domain first (needed before 5 GHz channels are usable; see README.md). Needs root, iw and iproute2.
set -euo pipefail

die() { echo "monitor-setup: $*" >&2; exit 1; }
usage() { sed -n '5,6p' "$0" | sed 's/^# *//' >&2; exit 2; }

restore=0
country=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --restore) restore=1 ;;
    --country) shift; [ $# -gt 0 ] || usage; country="$1" ;;
    -h|--help) usage ;;
    *) args+=("$1") ;;
  esac
  shift
done
[ ${#args[@]} -ge 1 ] || usage
iface="${args[0]}"
channel="${args[1]:-6}"

[ "$(id -u)" -eq 0 ] || die "run as root (sudo): changing interface modes needs CAP_NET_ADMIN"
command -v iw >/dev/null || die "iw is not installed: apt-get install iw"
command -v ip >/dev/null || die "ip is not installed: apt-get install iproute2"
info=$(iw dev "$iface" info 2>&1) || die "no Wi-Fi interface $iface ($info). Interfaces: $(iw dev 2>/dev/null | awk '/Interface/ {print $2}' | tr '\n' ' ')"

# NetworkManager and wpa_supplicant take a managed interface back; tell NetworkManager to let go.
if command -v nmcli >/dev/null && nmcli -t -f RUNNING general 2>/dev/null | grep -q running; then
  if [ "$restore" -eq 1 ]; then nmcli device set "$iface" managed yes || true
  else nmcli device set "$iface" managed no || true; fi
fi

if [ "$restore" -eq 1 ]; then
  ip link set "$iface" down
  iw dev "$iface" set type managed
  ip link set "$iface" up
  echo "monitor-setup: $iface is back in managed mode"
  exit 0
fi

phy=$(echo "$info" | awk '/wiphy/ {print "phy"$2}')
if ! iw phy "$phy" info | sed -n '/Supported interface modes:/,/^\t[^\t]/p' | grep -q '\* monitor'; then
  die "$iface ($phy, driver $(basename "$(readlink -f /sys/class/net/"$iface"/device/driver 2>/dev/null || echo unknown)")) has no monitor mode: use the receiver's managed-mode scan source, or an adapter from hardware/wifi/README.md"
fi

[ -z "$country" ] || iw reg set "$country"

ip link set "$iface" down
iw dev "$iface" set type monitor
ip link set "$iface" up
if ! iw dev "$iface" set channel "$channel"; then
  die "$iface cannot use channel $channel: a 2.4 GHz-only adapter, or the regulatory domain forbids it (iw reg get; try --country XX or channel 6)"
fi
echo "monitor-setup: $iface is in monitor mode on channel $channel"
iw dev "$iface" info | sed 's/^/  /'
