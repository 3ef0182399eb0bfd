#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian package, end to end: build a .deb from the build directory
# (meson install into a DESTDIR, the control file from debian/control via
# dpkg-shlibdeps + dpkg-gencontrol, the maintainer scripts of debian/),
# lintian, dpkg -i, the installed command, manual pages, completion and
# systemd unit, then dpkg -r / --purge leaving nothing behind.
#
# This is the fast path (about a minute): it reuses the build instead of
# compiling again. The real source package (debian/rules, dh with meson)
# is built and checked by `make deb` (scripts/build-deb.sh), which takes
# several minutes; the differences are dh's additions (stripping with
# debug symbols, the systemd maintainer snippets).
#
# Needs root (dpkg -i) and dpkg-dev; skipped otherwise. If a package named
# anzen is already installed it is not touched and the test is skipped.
set -u
: "${ANZEN:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
skip() {
    echo "1..0 # SKIP $1"
    exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i)"
command -v dpkg-buildpackage >/dev/null 2>&1 || skip "dpkg-buildpackage is missing (dpkg-dev; scripts/deps.sh --test)"
if dpkg-query -W -f='${Status}' anzen 2>/dev/null | grep -q 'installed\|config-files'; then
    skip "a package named anzen is already on this machine"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/anzen-pkg.XXXXXX")
had_user=0
getent passwd anzen >/dev/null && had_user=1
had_state=0
[ -e /var/lib/anzen ] && had_state=1
cleanup() {
    if dpkg-query -W -f='${Status}' anzen 2>/dev/null | grep -q 'installed\|config-files'; then
        dpkg_do --purge anzen >/dev/null 2>&1
    fi
    [ $had_state -eq 1 ] || rm -rf /var/lib/anzen
    if [ $had_user -eq 0 ] && getent passwd anzen >/dev/null; then
        userdel anzen 2>/dev/null
        getent group anzen >/dev/null && groupdel anzen 2>/dev/null
    fi
    [ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
umask 022
n=0
bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
# dpkg, waiting for the lock another apt or dpkg may hold
dpkg_do() {
    i=0
    while :; do
        dpkg "$@" >"$T/dpkg.out" 2>&1 && return 0
        if grep -q 'lock' "$T/dpkg.out" && [ $i -lt 60 ]; then
            i=$((i + 1))
            sleep 2
            continue
        fi
        cat "$T/dpkg.out"
        return 1
    done
}

# the other tools are required: missing is a failure, not a skip
tools=""
for t in dpkg-deb dpkg-gencontrol dpkg-shlibdeps lintian man fakeroot bash systemd-analyze; do
    command -v $t >/dev/null 2>&1 || tools="$tools $t"
done
[ -z "$tools" ] && ok "packaging tools present" || not_ok "missing (scripts/deps.sh --test):$tools"

# ---- build the .deb from the build directory ----
root=$T/root
meson install -C "$BUILDDIR" --no-rebuild --quiet --destdir "$root" >install.log 2>&1 &&
    ok "meson install into DESTDIR" || { not_ok "meson install"; sed 's/^/#   /' install.log; }
# a build configured for /usr/local (the default) moves to the package's places
if [ -d "$root/usr/local" ]; then
    mkdir -p "$root/usr" "$root/etc" "$root/lib"
    cp -a "$root/usr/local/." "$root/usr/"
    rm -rf "$root/usr/local"
    [ -d "$root/usr/etc" ] && cp -a "$root/usr/etc/." "$root/etc/" && rm -rf "$root/usr/etc"
    [ -d "$root/usr/lib/systemd" ] && mkdir -p "$root/lib/systemd" &&
        cp -a "$root/usr/lib/systemd/." "$root/lib/systemd/" && rm -rf "$root/usr/lib/systemd"
    rmdir "$root/usr/lib" 2>/dev/null || true
    sed -i 's|/usr/local/bin/|/usr/bin/|' "$root/lib/systemd/system/anzen-serve.service"
fi
# what debhelper does for the real package
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/anzen"
find "$root/usr/share/man" -name '*.1' -exec gzip -9n {} +
doc=$root/usr/share/doc/anzen
install -m 0644 "$SRCDIR/debian/copyright" "$doc/copyright"
gzip -9nc "$SRCDIR/debian/changelog" >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
mkdir -p "$root/DEBIAN"
for s in postinst postrm; do
    sed '/^#DEBHELPER#$/d' "$SRCDIR/debian/anzen.$s" >"$root/DEBIAN/$s"
    chmod 0755 "$root/DEBIAN/$s"
done
(cd "$root" && find etc -type f | sed 's|^|/|') >"$root/DEBIAN/conffiles"
mkdir -p src/debian
cp "$SRCDIR/debian/control" "$SRCDIR/debian/changelog" src/debian/
(
    cd src &&
        dpkg-shlibdeps -Tdebian/substvars "$root/usr/bin/anzen" &&
        echo 'misc:Depends=' >>debian/substvars &&
        dpkg-gencontrol -panzen -P"$root" -Tdebian/substvars -fdebian/files
) >gencontrol.log 2>&1 && ok "control file from debian/control (dpkg-shlibdeps, dpkg-gencontrol)" ||
    { not_ok "dpkg-gencontrol"; sed 's/^/#   /' gencontrol.log; }
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
    xargs md5sum >DEBIAN/md5sums)
grep -q '^Depends:.*libsqlite3-0' "$root/DEBIAN/control" && grep -q '^Depends:.*adduser' "$root/DEBIAN/control" &&
    ok "runtime dependencies declared (shlibs and adduser)" || { not_ok "Depends"; sed 's/^/#   /' "$root/DEBIAN/control"; }
dpkg-deb --root-owner-group -Zxz --build "$root" anzen.deb >deb.log 2>&1 && ok "dpkg-deb builds anzen.deb" ||
    { not_ok "dpkg-deb"; sed 's/^/#   /' deb.log; }
# the regular files of the package (not its directories: /lib is a link)
dpkg-deb -c anzen.deb | awk '$1 ~ /^-/ {print $6}' | sed 's|^\./|/|' >contents
for f in /usr/bin/anzen /usr/share/man/man1/anzen.1.gz /usr/share/man/man1/anzen-ledger.1.gz \
    /usr/share/man/ja/man1/anzen-ledger.1.gz /usr/share/bash-completion/completions/anzen \
    /usr/share/zsh/vendor-completions/_anzen /lib/systemd/system/anzen-serve.service \
    /etc/default/anzen /usr/share/doc/anzen/copyright /usr/share/doc/anzen/install.md \
    /usr/share/doc/anzen/examples/demo/profile.yaml; do
    grep -qx "$f" contents || missing="${missing:-} $f"
done
[ -z "${missing:-}" ] && ok "the package holds the binary, pages, completion, unit, docs, examples" ||
    not_ok "missing from the package:$missing"

# ---- lintian ----
lintian --tag-display-limit 0 --display-info anzen.deb >lintian.txt 2>&1
if grep -q '^E:' lintian.txt; then
    not_ok "lintian reports errors"
else
    ok "lintian: no errors"
fi
sed 's/^/# lintian: /' lintian.txt

# ---- install ----
dpkg_do -i anzen.deb && ok "dpkg -i" || not_ok "dpkg -i failed"
[ "$(/usr/bin/anzen --version)" = "anzen $(dpkg-parsechangelog -l "$SRCDIR/debian/changelog" -S Version)" ] &&
    ok "installed anzen runs" || not_ok "anzen --version: $(/usr/bin/anzen --version 2>&1)"
getent passwd anzen >/dev/null && [ "$(stat -c %U:%a /var/lib/anzen 2>/dev/null)" = anzen:750 ] &&
    ok "system user anzen and /var/lib/anzen (0750)" || not_ok "user or state directory missing"
mkdir demo
(cd demo && /usr/bin/anzen demo >demo.out 2>&1) && [ -f demo/anzen-demo/report.html ] &&
    ok "anzen demo in a temporary directory" || { not_ok "anzen demo"; tail -5 demo/demo.out | sed 's/^/#   /'; }

# every installed manual page renders, without groff warnings
pages=$(dpkg -L anzen | grep '/man/.*\.1\.gz$')
np=0
badp=""
for p in $pages; do
    np=$((np + 1))
    MANWIDTH=100 man --warnings -l "$p" >page.txt 2>page.err </dev/null
    [ -s page.txt ] || badp="$badp $p(empty)"
    [ -s page.err ] && badp="$badp $p($(head -1 page.err))"
done
[ $np -ge 10 ] && [ -z "$badp" ] && ok "man -l on all $np installed pages: text, no warnings" ||
    not_ok "manual pages ($np):$badp"
[ "$(man -w anzen-ledger 2>/dev/null)" = /usr/share/man/man1/anzen-ledger.1.gz ] &&
    ok "man anzen-ledger finds the page" || not_ok "man -w anzen-ledger: $(man -w anzen-ledger 2>&1)"
LC_ALL=C.UTF-8 MANWIDTH=100 man -l /usr/share/man/ja/man1/anzen-plan.1.gz 2>/dev/null | grep -q '対応計画' &&
    ok "Japanese page shows Japanese text" || not_ok "Japanese page"

# completion
bc=/usr/share/bash-completion/completions/anzen
bash -n "$bc" && ok "bash -n on the bash completion" || not_ok "bash completion does not parse"
bash -c '. '"$bc"'
    COMP_WORDS=(anzen ""); COMP_CWORD=1; _anzen; printf "%s\n" "${COMPREPLY[@]}" >'"$T"'/c1
    COMP_WORDS=(anzen ledger ""); COMP_CWORD=2; _anzen; printf "%s\n" "${COMPREPLY[@]}" >'"$T"'/c2
    COMP_WORDS=(anzen report --role ""); COMP_CWORD=3; _anzen; printf "%s\n" "${COMPREPLY[@]}" >'"$T"'/c3'
grep -qx ledger c1 && grep -qx import c2 && grep -qx management c3 &&
    ok "scripted completion: commands (ledger), subcommands (import), roles" ||
    not_ok "completion: [$(tr '\n' ' ' <c1)] [$(tr '\n' ' ' <c2)] [$(tr '\n' ' ' <c3)]"
if command -v zsh >/dev/null 2>&1; then
    zsh -n /usr/share/zsh/vendor-completions/_anzen && ok "zsh -n on the zsh completion" || not_ok "zsh completion does not parse"
else
    ok "# SKIP zsh not installed"
fi

# the systemd unit
unit=/lib/systemd/system/anzen-serve.service
systemd-analyze verify "$unit" >verify.txt 2>&1
vrc=$?
if [ $vrc -eq 0 ] && ! grep -q 'anzen-serve' verify.txt; then
    ok "systemd-analyze verify anzen-serve.service"
else
    not_ok "systemd-analyze verify (exit $vrc)"
fi
sed 's/^/# verify: /' verify.txt
for k in 'User=anzen' 'StateDirectory=anzen' 'ProtectSystem=strict' 'PrivateTmp=yes' 'NoNewPrivileges=yes' \
    'CapabilityBoundingSet=' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'ProtectHome=yes' \
    'ExecStart=/usr/bin/anzen serve'; do
    grep -q "^$k" "$unit" || missing_k="${missing_k:-} [$k]"
done
[ -z "${missing_k:-}" ] && grep -qx 'CapabilityBoundingSet=' "$unit" && ok "unit hardening as documented" ||
    not_ok "unit lacks:${missing_k:-}"

# ---- remove and purge ----
dpkg_do -r anzen && [ ! -e /usr/bin/anzen ] && [ -e /etc/default/anzen ] &&
    ok "dpkg -r removes the program, keeps the conffile" || not_ok "dpkg -r"
dpkg_do --purge anzen && ok "dpkg --purge" || not_ok "dpkg --purge failed"
left=""
while read -r f; do
    [ -n "$f" ] && [ "$f" != / ] || continue
    if [ -f "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done <contents
[ -e /var/lib/anzen ] && left="$left /var/lib/anzen"
[ -e /etc/default/anzen ] && left="$left /etc/default/anzen"
[ -z "$left" ] && ok "purge leaves no files behind" || not_ok "left after purge:$left"

# a workspace in /var/lib/anzen survives purge (clinic data is never deleted)
dpkg_do -i anzen.deb >/dev/null
printf 'institution: {name: x}\n' >/var/lib/anzen/profile.yaml
dpkg_do --purge anzen
[ -f /var/lib/anzen/profile.yaml ] && grep -q 'kept' "$T/dpkg.out" &&
    ok "purge keeps a workspace in /var/lib/anzen and says so" || not_ok "purge removed or hid the workspace"

echo "1..$n"
[ "$bad" -eq 0 ]
