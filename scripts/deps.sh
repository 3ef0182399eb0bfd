#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages anzen needs to build (and, with --test,
# to run the whole test suite: Node.js + npm for ajv-cli).
# Idempotent and non-interactive. `--check` only reports (exit 1 when
# something is missing) and installs nothing.
#   scripts/deps.sh [--test] [--check]
set -eu

# to build and run anzen (one group per line, so changes merge cleanly)
PKGS="meson ninja-build pkg-config gcc libc6-dev python3"
PKGS="$PKGS libjansson-dev libyaml-dev libsqlite3-dev libssl-dev"
PKGS="$PKGS libxlsxwriter-dev libzip-dev libxml2-dev"                  # reports (XLSX)
PKGS="$PKGS libmicrohttpd-dev libgnutls28-dev libsodium-dev libqrencode-dev" # web UI
PKGS="$PKGS liblz4-dev liblzma-dev zlib1g-dev"                      # host audit (apt lists)
PKGS="$PKGS libpq-dev"                       # hub (docs/hub.md; the server: postgresql below)
PKGS="$PKGS libcurl4-openssl-dev"            # submit --to (HTTPS to a hub)
# to test it (make check): unit tests, fuzzing, formatting, and the real
# peers the tests talk to
TEST_PKGS="libcmocka-dev clang-14 libclang-rt-14-dev clang-format-14"
TEST_PKGS="$TEST_PKGS libreoffice-calc-nogui poppler-utils fonts-noto-cjk" # XLSX, PDF
TEST_PKGS="$TEST_PKGS chromium"                                          # HTML, web UI
TEST_PKGS="$TEST_PKGS liboath-dev"                                       # TOTP reference
TEST_PKGS="$TEST_PKGS dcmtk nmap openssh-server postgresql iproute2 nftables tshark" # network
TEST_PKGS="$TEST_PKGS python3-icalendar"                                  # anzen calendar (.ics)
TEST_PKGS="$TEST_PKGS libcap2-bin"                 # capsh: scan --syn refused without CAP_NET_RAW
TEST_PKGS="$TEST_PKGS debhelper lintian dpkg-dev fakeroot man-db zsh bash-completion sqlite3" # packaging

test=0
check=0
for a in "$@"; do
    case "$a" in
    --test) test=1 ;;
    --check) check=1 ;;
    *)
        echo "usage: scripts/deps.sh [--test] [--check]" >&2
        exit 64
        ;;
    esac
done

[ $test -eq 1 ] && PKGS="$PKGS $TEST_PKGS"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# Node.js + npm run the test-only tools in package.json (ajv-cli for OSCAL).
if [ $test -eq 1 ] && ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi

if [ $check -eq 1 ]; then
    if [ -n "$missing" ]; then
        echo "missing packages:$missing" >&2
        exit 1
    fi
    exit 0
fi

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
