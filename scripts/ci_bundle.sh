#!/usr/bin/env bash
# CI packaging check (run as root on Debian, after the tests, venv at .venv):
# build the bundle and its self-check, build the .deb, install it, run the installed
# --version and self-check, remove and purge it. Any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PKG=counter-assistant
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - start))"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "ci_bundle.sh installs a .deb: run it as root" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive

step "tools"
# PyInstaller needs ldd/objdump/strip (binutils); dpkg-deb comes with dpkg.
if ! command -v objdump >/dev/null || ! command -v strip >/dev/null || ! command -v dpkg-deb >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends binutils dpkg
fi
$PY -c "import PyInstaller" 2>/dev/null || $PY -m pip install -q -e '.[build]'

step "bundle"
$PY scripts/build_bundle.py

step "deb"
$PY packaging/linux/build_deb.py
DEB=$(ls -t dist/${PKG}_*.deb | head -n1)
dpkg-deb --info "$DEB" >/dev/null

cleanup() { dpkg -s $PKG >/dev/null 2>&1 && dpkg --purge $PKG >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "install $DEB"
if ! dpkg -i "$DEB"; then
    apt-get update -qq
    apt-get install -y -qq -f  # pulls in the Depends (xcb/X libraries)
fi
dpkg -s $PKG | grep -q '^Status: install ok installed'
for f in /opt/$PKG/$PKG /usr/bin/$PKG /etc/$PKG/config.toml \
    /etc/xdg/autostart/$PKG.desktop /usr/share/applications/$PKG.desktop \
    /usr/share/applications/$PKG-supervisor.desktop; do
    test -e "$f" || { echo "missing after install: $f" >&2; exit 1; }
done

step "installed self-check"
/usr/bin/$PKG --version
data=$(mktemp -d)
# As installed: the machine-wide config in /etc is the one in force.
env -u COUNTER_ASSISTANT_CONFIG QT_QPA_PLATFORM=offscreen /usr/bin/$PKG self-check --data-dir "$data"
env -u COUNTER_ASSISTANT_CONFIG QT_QPA_PLATFORM=offscreen /usr/bin/$PKG check-config --data-dir "$data"
rm -rf "$data"

step "remove"
dpkg -r $PKG
test ! -e /opt/$PKG/$PKG || { echo "bundle left after dpkg -r" >&2; exit 1; }
test -e /etc/$PKG/config.toml || { echo "conffile must survive dpkg -r" >&2; exit 1; }
dpkg --purge $PKG
test ! -e /etc/$PKG/config.toml || { echo "config left after purge" >&2; exit 1; }
trap - EXIT

step "packaging OK"
