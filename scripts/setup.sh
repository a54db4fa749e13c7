#!/usr/bin/env bash
# Sets up a fresh machine for the toolkit: the Debian tools the tests drive (tshark, tcpdump, gpsd), the pinned
# pnpm, and the workspace's packages from the lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
# tshark: tests open the project's pcapng files; tcpdump: live-capture pipes; gpsd + gpsd-clients (gpsfake):
# the gpsd position source (@odid/position) is tested against a real gpsd.
# libxml2-utils (xmllint): the KML export is checked with it.
# hostapd, iw: the Wi-Fi beacon radio's hostapd config is loaded by a real hostapd, iw errors are real;
# libpcap-dev: the 'cap' injection addon builds against it.
# chromium: the codec is bundled for the browser and run in headless Chromium (driven by playwright-core).
# firefox-esr: the map's browser tests run in Firefox too, driven by puppeteer-core over WebDriver BiDi.
# mosquitto: rid-scan --publish and rid-hub are tested against a real MQTT broker (openssl makes its test certificates).
# zstd, lz4: the tests make compressed captures with the real tools (gzip is always there).
APT_PACKAGES=(tshark tcpdump gpsd gpsd-clients libxml2-utils hostapd iw libpcap-dev chromium firefox-esr mosquitto openssl zstd lz4)

missing=()
for tool in tshark tcpdump gpsd gpsfake xmllint hostapd iw chromium firefox-esr openssl zstd lz4; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
# Debian installs mosquitto in /usr/sbin, which a user's PATH may lack.
[ -x /usr/sbin/mosquitto ] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
[ -e /usr/include/pcap/pcap.h ] || missing+=(libpcap-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${APT_PACKAGES[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  else
    echo "setup: ${missing[*]} missing; run as root or: sudo apt-get install ${APT_PACKAGES[*]}" >&2
    exit 1
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION" >&2
  npm i -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --reporter=silent; else pnpm install --reporter=silent; fi

# Every package compiled to dist/ and the map page bundled (rid-scan --web serves it): what the demo and the
# built programs need. Incremental: a second run with nothing changed takes seconds.
pnpm --silent build
