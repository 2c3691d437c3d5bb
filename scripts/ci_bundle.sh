#!/usr/bin/env bash
# CI packaging check (run as root on Debian, after the tests, venv at .venv), as IT's
# unattended rollout meets the package:
#   bundle: build, size, contents, --version and self-check (scripts/build_bundle.py);
#     every feature run under strace asks ICU for no data (the bundle's libicudata is a stub)
#   deb: build; lintian without errors
#   fresh install with the counter's config (and drop-ins) already in place, through apt
#     and through dpkg with no terminal: rc 0, IT's files byte-identical; check-config
#     reads them (the id from the per-counter drop-in, named as its source)
#   remove: no autostart entry left; purge: IT's files kept, the package's own gone
#   upgrade from 0.1.0 (which shipped config.toml as a conffile) over an edited config,
#     with a window open under Xvfb: rc 0, no prompt, config byte-identical, the window
#     keeps answering hotkeys, restarts itself, loses no record; dpkg -r ends it cleanly
# Any failure exits non-zero. IT's own /etc/counter-assistant is saved and put back.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PKG=counter-assistant
ETC=/etc/$PKG
OLD_LAYOUT=${CA_OLD_LAYOUT:-8f4f944}  # 0.1.0's package builder: $ETC/config.toml and autostart as conffiles
MAINTAINER=${DEB_MAINTAINER:-"Counter Assistant IT <counter-assistant@example.org>"}
start=$(date +%s)
last=$start
step() {
    now=$(date +%s)
    printf '\n== %s (%ss; previous step %ss)\n' "$*" "$((now - start))" "$((now - last))"
    last=$now
}
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    echo "ci_bundle.sh installs a .deb: run it as root" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive

step "tools"
# PyInstaller needs binutils; dpkg-shlibdeps (dpkg-dev) computes Depends; lintian; the
# running-window check needs Xvfb and xdotool; the ICU audit strace, a CUPS scheduler with
# the cups-pdf printer (and poppler) for the notice, and PostgreSQL for the live page.
need=()
for tool in objdump:binutils dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev lintian:lintian \
    Xvfb:xvfb xdotool:xdotool git:git strace:strace /usr/sbin/cupsd:cups \
    /usr/lib/cups/backend/cups-pdf:printer-driver-cups-pdf pdfinfo:poppler-utils; do
    command -v "${tool%%:*}" >/dev/null || [ -e "${tool%%:*}" ] || need+=("${tool#*:}")
done
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
$PY -c "import PyInstaller" 2>/dev/null || $PY -m pip install -q -e '.[build]'

saved=$(mktemp -d)
if [ -e $ETC ]; then cp -a $ETC "$saved/"; fi
cleanup() {
    dpkg -s $PKG >/dev/null 2>&1 && dpkg --purge $PKG >/dev/null 2>&1 || true
    rm -rf $ETC
    if [ -e "$saved/$PKG" ]; then cp -a "$saved/$PKG" /etc/; fi
    rm -rf "$saved"
}
trap cleanup EXIT
cleanup_pkg() { dpkg -s $PKG >/dev/null 2>&1 && dpkg --purge $PKG >/dev/null || true; rm -rf $ETC; }

step "bundle"
$PY scripts/build_bundle.py
du -sm dist/$PKG

step "ICU data audit (the bundle carries a stub libicudata)"
$PY packaging/linux/audit_icu_data.py

step "deb"
$PY packaging/linux/build_deb.py --maintainer "$MAINTAINER"
DEB=$(ls -t dist/${PKG}_*.deb | head -n1)
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'
dpkg-deb --contents "$DEB" | grep -q "^-.* ./etc/$PKG/" && fail "the package must own no file in $ETC"

step "lintian"
lintian --fail-on error "$DEB"

step "old package: the 0.1.0 layout (config.toml and the autostart entry conffiles)"
old=build/deb-old
rm -rf $old && mkdir -p $old/packaging/linux $old/counter_assistant $old/resources $old/dist
if git cat-file -e "$OLD_LAYOUT^{commit}" 2>/dev/null; then
    # 0.1.0's own package builder, on today's bundle
    git show $OLD_LAYOUT:packaging/linux/build_deb.py >$old/packaging/linux/build_deb.py
    git show $OLD_LAYOUT:resources/config.example.toml >$old/resources/config.example.toml
    cp -r resources/icons $old/resources/
    echo '__version__ = "0.1.0~old"' >$old/counter_assistant/__init__.py
    $PY $old/packaging/linux/build_deb.py --bundle dist/$PKG --out $old/dist >/dev/null
else
    # A shallow clone: the same layout made by hand from today's staging tree.
    cp -a build/deb/root $old/root
    rm -f $old/root/etc/xdg/autostart/$PKG.desktop $old/root/DEBIAN/preinst $old/root/DEBIAN/prerm
    cp $old/root/usr/share/$PKG/autostart/$PKG.desktop $old/root/etc/xdg/autostart/$PKG.desktop
    sed 's/^# id = /id = /; s/^# window = /window = /' resources/config.example.toml \
        >$old/root$ETC/config.toml
    printf '%s\n' $ETC/config.toml /etc/xdg/autostart/$PKG.desktop >$old/root/DEBIAN/conffiles
    printf '#!/bin/sh\nset -e\nexit 0\n' >$old/root/DEBIAN/postinst
    cp $old/root/DEBIAN/postinst $old/root/DEBIAN/postrm
    sed -i 's/^Version: .*/Version: 0.1.0~old/' $old/root/DEBIAN/control
    (cd $old/root && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | xargs -0 md5sum) \
        >$old/root/DEBIAN/md5sums
    dpkg-deb -Zgzip -z1 --build --root-owner-group $old/root $old/dist/${PKG}_0.1.0~old.deb >/dev/null
fi
OLD=$(ls $old/dist/${PKG}_*.deb)
dpkg-deb --info "$OLD" conffiles | grep -qx "$ETC/config.toml" || fail "old package has no conffile"

counter_config() {  # the files IT places before installing, then their checksums
    mkdir -p $ETC/config.d
    printf '[counter]\nid = "CI-00"\ndepartment = "归集科"\n' >$ETC/config.toml
    cp packaging/linux/config.d/10-center.toml $ETC/config.d/
    printf '[counter]\nid = "CI-07"\nwindow = "7"\n' >$ETC/config.d/20-counter.toml
}
sums() { find $ETC -type f -print0 | sort -z | xargs -0 sha256sum; }

step "fresh install through apt, the counter's config already in place"
cleanup_pkg
counter_config
before=$(sums)
apt-get update -qq
apt-get install -y -q "./$DEB" </dev/null || fail "apt-get install exited $?"
[ "$(sums)" = "$before" ] || fail "IT's config files changed on install"
dpkg -s $PKG | grep -q '^Status: install ok installed'
for f in /opt/$PKG/$PKG /usr/bin/$PKG /etc/xdg/autostart/$PKG.desktop \
    /usr/share/applications/$PKG.desktop /usr/share/applications/$PKG-supervisor.desktop \
    /usr/share/doc/$PKG/config.example.toml /usr/share/doc/$PKG/copyright; do
    test -e "$f" || fail "missing after install: $f"
done

step "installed --version, check-config, self-check"
/usr/bin/$PKG --version
data=$(mktemp -d)
# The drop-ins are read: the id comes from the per-counter file (it wins over config.toml),
# the center's values from the center-wide file, and check-config names each file.
shown=$(env -u COUNTER_ASSISTANT_CONFIG QT_QPA_PLATFORM=offscreen /usr/bin/$PKG check-config \
    --data-dir "$data") || fail "check-config exited $? with IT's files in place"
echo "$shown"
grep -qx "config files, later wins: $ETC/config.toml, $ETC/config.d/10-center.toml, $ETC/config.d/20-counter.toml" \
    <<<"$shown" || fail "check-config did not read config.toml and both drop-ins in name order"
grep -q "^counter CI-07, window 7, 归集科;" <<<"$shown" || fail "the counter is not CI-07, window 7"
grep -qxF "  counter.id = 'CI-07'    <- $ETC/config.d/20-counter.toml" <<<"$shown" ||
    fail "check-config does not show the counter id from $ETC/config.d/20-counter.toml"
grep -qxF "  center.opening = '08:30'    <- $ETC/config.d/10-center.toml" <<<"$shown" ||
    fail "check-config does not show the center's values from $ETC/config.d/10-center.toml"
env -u COUNTER_ASSISTANT_CONFIG QT_QPA_PLATFORM=offscreen /usr/bin/$PKG self-check --data-dir "$data"
rm -rf "$data"

step "reinstall with dpkg and no terminal"
dpkg -i "$DEB" </dev/null || fail "dpkg -i exited $?"
[ "$(sums)" = "$before" ] || fail "IT's config files changed on reinstall"

step "remove and purge"
dpkg -r $PKG
test ! -e /opt/$PKG/$PKG || fail "bundle left after dpkg -r"
test ! -e /etc/xdg/autostart/$PKG.desktop -a ! -L /etc/xdg/autostart/$PKG.desktop ||
    fail "autostart entry left after dpkg -r"
[ "$(sums)" = "$before" ] || fail "IT's config files changed on remove"
dpkg --purge $PKG
[ "$(sums)" = "$before" ] || fail "purge touched IT's config files"
test ! -e /usr/share/$PKG || fail "package files left after purge"

step "fresh install with dpkg and no terminal, the counter's config already in place"
dpkg -i "$DEB" </dev/null || fail "dpkg -i exited $?"
[ "$(sums)" = "$before" ] || fail "IT's config files changed on install"
dpkg --purge $PKG

step "fresh install with dpkg and no terminal, nothing configured"
cleanup_pkg
dpkg -i "$DEB" </dev/null || fail "dpkg -i exited $?"
test -d $ETC/config.d || fail "no $ETC/config.d for IT's drop-ins"
env -u COUNTER_ASSISTANT_CONFIG QT_QPA_PLATFORM=offscreen /usr/bin/$PKG check-config \
    --data-dir "$(mktemp -d)" || fail "check-config must not fail an unconfigured install"
dpkg --purge $PKG
test ! -e $ETC || fail "$ETC left after purging a package IT never configured"

step "upgrade from 0.1.0 over an edited config, a window open"
cleanup_pkg
dpkg -i "$OLD" </dev/null >/dev/null
sed -i 's/^id = "PJ-03"/id = "CI-07"/; s/^window = "3"/window = "7"/' $ETC/config.toml
printf '# edited by IT for counter CI-07\n' >>$ETC/config.toml
before=$(sums)
$PY packaging/linux/check_running_upgrade.py --new "$DEB"
[ "$(sums)" = "$before" ] || fail "IT's edited config changed on upgrade"
dpkg -i "$DEB" </dev/null >/dev/null
dpkg-query -W -f='${Conffiles}' $PKG | grep -q config.toml && fail "dpkg still lists IT's config"
dpkg --purge $PKG
[ "$(sums)" = "$before" ] || fail "purge after the upgrade touched IT's config"

step "untouched 0.1.0 example config: dropped on upgrade (no example value in force)"
cleanup_pkg
dpkg -i "$OLD" </dev/null >/dev/null
dpkg -i "$DEB" </dev/null >/dev/null
test ! -e $ETC/config.toml || fail "the old example config is still in force"
dpkg --purge $PKG

trap - EXIT
cleanup
step "packaging OK"
