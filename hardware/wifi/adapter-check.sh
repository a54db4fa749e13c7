#!/usr/bin/env bash
# Says what each Wi-Fi radio of this machine can do for Remote ID: driver, monitor mode (receive and
# inject), AP mode (hostapd beacon), and whether 2437 MHz (channel 6) and 5745 MHz (channel 149) are
# usable under the current regulatory domain. Read-only: changes nothing. iw needs no root for this.
#
#   hardware/wifi/adapter-check.sh
set -euo pipefail

command -v iw >/dev/null || { echo "adapter-check: iw is not installed: apt-get install iw" >&2; exit 1; }
if [ ! -d /sys/class/ieee80211 ] || [ -z "$(ls -A /sys/class/ieee80211 2>/dev/null)" ]; then
  echo "adapter-check: no Wi-Fi radio: the kernel lists nothing in /sys/class/ieee80211 (plug in an adapter; see README.md)" >&2
  exit 1
fi

echo "regulatory domain: $(iw reg get 2>/dev/null | awk '/^country/ {print $2; exit}')"
for path in /sys/class/ieee80211/*; do
  phy=$(basename "$path")
  driver=$(basename "$(readlink -f "$path/device/driver" 2>/dev/null || echo unknown)")
  ifaces=$(ls "$path/device/net" 2>/dev/null | tr '\n' ' ' || true)
  pinfo=$(iw phy "$phy" info)
  modes=$(echo "$pinfo" | sed -n '/Supported interface modes:/,/^\t[^\t]/p' | awk '/\*/ {sub(/^[ \t]*\* /, ""); print}' | tr '\n' ',' | sed 's/,$//')
  has() { echo ",$modes," | grep -q ",$1,"; }
  freq() {
    local line
    line=$(echo "$pinfo" | grep -E "^\s+\* $1(\.0)? MHz" | head -1 || true)
    if [ -z "$line" ]; then echo "not in this adapter's bands"
    elif echo "$line" | grep -q disabled; then echo "disabled by the regulatory domain"
    elif echo "$line" | grep -qi 'no IR'; then echo "receive only (no IR: no beaconing or injection here)"
    else echo "usable"; fi
  }
  echo
  echo "$phy: driver $driver, interfaces: ${ifaces:-none}"
  echo "  receive, monitor mode (tcpdump): $(has monitor && echo yes || echo 'no: use the scan source')"
  echo "  transmit, hostapd (AP mode):     $(has AP && echo yes || echo no)"
  echo "  transmit, injection:             $(has monitor && echo 'maybe: depends on the driver (README.md); test with aireplay-ng --test' || echo no)"
  echo "  channel 6   (2437 MHz): $(freq 2437)"
  echo "  channel 149 (5745 MHz): $(freq 5745)"
done
