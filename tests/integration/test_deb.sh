#!/bin/sh
# test_deb.sh: the Debian package of "make deb" (issue 13), built and
# installed for real. Builds the .deb with make deb (dpkg-buildpackage and
# debhelper, from etc/debian), runs lintian on it (an error or a warning
# fails), inspects it with dpkg-deb (its fields, conffiles, files and their
# modes), checks the shipped config with the shipped binary (extracted, the
# paths rewritten), then, as root, installs it with dpkg -i in a sandbox:
# unshare(1) gives it its own mount, network and pid namespaces, with
# overlays on /etc, /usr and /var (the host's system, its writes going to a
# temporary directory) and a loopback of its own, playing a booted sysvinit
# machine (runlevel 2, no policy-rc.d). There the maintainer scripts run as
# on a server: the install must start tine serving the demo site on port
# 80, remove must stop it and keep the config, a reinstall must respect a
# removed sites-enabled link, and purge must leave nothing (logs included).
# Everything the sandbox wrote and started dies with it.
#
# Run by "make check" with TINE_BIN (its directory is the build directory,
# where make deb runs) and TINE_SRCDIR. Exit 0 pass, 1 fail, 77 skip (no
# dpkg-buildpackage, debhelper or lintian; or TINE_DEB_TEST=skip, which CI
# sets for its builds after the first: the package is built with Debian's
# flags whatever the build's, so one run tells all), 99 misuse.
# Set TINE_KEEP=1 to keep the temporary tree for a post-mortem.

# shellcheck disable=SC2317 # functions called through check

set -u
umask 022
PATH=$PATH:/usr/sbin:/sbin
export PATH

# ---- reporting ----

# shellcheck source=tests/integration/tap.sh
. "${TINE_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tap.sh" || exit 99
nchecks=${TINE_DEB_NCHECKS:-0}
has_line() { # has_line FILE LINE: FILE has exactly this line
	grep -qxF -- "$2" "$1" || { note "$1 lacks the line: $2"; return 1; }
}

# ---- inside the sandbox ----

# sandbox_mount: the host's system as overlays whose writes go to
# $ov/NAME, a /run of our own, a loopback up, and a booted sysvinit
# machine's answers (runlevel 2; no policy-rc.d, which a container image
# may ship to keep services from starting).
sandbox_mount() {
	for _d in etc usr var bin sbin lib lib64; do
		if [ ! -d "/$_d" ] || [ -L "/$_d" ]; then
			continue
		fi
		mkdir -p "$ov/$_d/u" "$ov/$_d/w" &&
		    mount -t overlay overlay -o "lowerdir=/$_d,upperdir=$ov/$_d/u,workdir=$ov/$_d/w" "/$_d" ||
		    return 1
	done
	mount -t tmpfs -o mode=755 tmpfs /run || return 1
	ip link set lo up || return 1
	rm -f /usr/sbin/policy-rc.d /sbin/runlevel || return 1
	printf '#!/bin/sh\necho "N 2"\n' >/sbin/runlevel &&
	    chmod 755 /sbin/runlevel
}

# dpkg_run WHAT ARGS...: run dpkg, its output in $tmp/dpkg-WHAT.out.
dpkg_run() {
	_what=$1
	shift
	DEBIAN_FRONTEND=noninteractive dpkg "$@" </dev/null \
	    >"$tmp/dpkg-$_what.out" 2>&1
	_rc=$?
	[ "$_rc" -eq 0 ] || { note "dpkg $* exited $_rc:"; show "$tmp/dpkg-$_what.out"; }
	return "$_rc"
}
status_is() {
	_s=$(dpkg-query -W -f '${Status}' tine 2>/dev/null)
	[ "$_s" = "$1" ] || { note "dpkg status: '$_s', expected '$1'"; return 1; }
}
# The pids of running tine processes (the sandbox has its own pid space).
tine_pids() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = /usr/sbin/tine ] &&
		    echo "${_d#/proc/}"
	done
	return 0
}
no_tine() {
	[ -z "$(tine_pids)" ]
}
# serves_demo: GET / on port 80 answers the installed demo page.
serves_demo() {
	_code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 \
	    http://127.0.0.1/) || _code=000
	[ "$_code" = 200 ] && cmp -s "$tmp/body" /usr/share/tine/www/index.html
}
log_dir_ok() {
	_s=$(stat -c '%U:%G %a' /var/log/tine 2>/dev/null)
	[ "$_s" = "root:adm 750" ] || { note "/var/log/tine: '$_s'"; return 1; }
}
site_link() {
	[ -L /etc/tine/sites-enabled/default.conf ] &&
	    [ "$(readlink /etc/tine/sites-enabled/default.conf)" = \
	    ../sites-available/default.conf ]
}
registered() {
	# update-rc.d defaults: a start link in runlevel 2; deb-systemd-helper
	# enable: the unit wanted by multi-user.target.
	ls /etc/rc2.d/S[0-9][0-9]tine >/dev/null 2>&1 &&
	    [ -L /etc/systemd/system/multi-user.target.wants/tine.service ]
}
no_bad_levels() {
	! grep -qE '\[(emerg|alert|crit)\]' /var/log/tine/error.log
}
# Nothing of the package left: its files, what its scripts made, its logs.
nothing_left() {
	_bad=0
	for _f in /etc/tine /var/log/tine /usr/sbin/tine /usr/share/tine \
	    /etc/init.d/tine /etc/default/tine /etc/logrotate.d/tine \
	    /lib/systemd/system/tine.service \
	    /etc/systemd/system/multi-user.target.wants/tine.service; do
		if [ -e "$_f" ] || [ -L "$_f" ]; then
			note "left after purge: $_f"
			_bad=1
		fi
	done
	if ls /etc/rc[0-6S].d/*tine >/dev/null 2>&1; then
		note "left after purge: $(ls /etc/rc[0-6S].d/*tine)"
		_bad=1
	fi
	return "$_bad"
}
dpkg_quiet() { # dpkg_quiet WHAT: dpkg-WHAT.out has no warning
	if grep -qi 'warning' "$tmp/dpkg-$1.out"; then
		show "$tmp/dpkg-$1.out"
		return 1
	fi
	return 0
}

# The install, remove, reinstall and purge, in the sandbox; the counts go
# back to the caller through $tmp/sandbox.counts.
sandbox_main() {
	trap 'echo "$nchecks $nfailed" >"$tmp/sandbox.counts"' EXIT
	if ! sandbox_mount; then
		notok "sandbox: the overlays, /run and the loopback"
		return
	fi

	if ! check "dpkg -i: exit 0" dpkg_run install -i "$deb"; then
		return
	fi
	check "dpkg -i: tine is installed" status_is "install ok installed"
	check "dpkg -i: /var/log/tine is root:adm 0750" log_dir_ok
	check "dpkg -i: the demo site is enabled (sites-enabled link)" site_link
	check "dpkg -i: the init script and the unit are enabled" registered
	if ! check "dpkg -i: tine started, serving the demo page on port 80" \
	    poll 10 serves_demo; then
		show /var/log/tine/error.log 2>/dev/null
		show "$tmp/dpkg-install.out"
	fi
	check "the master logged 'master ready'" \
	    grep -q 'master ready' /var/log/tine/error.log
	logged() { grep -q '"GET / HTTP/1.1" 200' /var/log/tine/access.log; }
	check "the request is in /var/log/tine/access.log" poll 5 logged
	check "/etc/init.d/tine status: running" /etc/init.d/tine status
	check "/etc/init.d/tine reload: exit 0" /etc/init.d/tine reload

	check "dpkg -r: exit 0" dpkg_run remove -r tine
	check "dpkg -r: tine stopped" poll 10 no_tine
	check "dpkg -r: config files kept" \
	    status_is "deinstall ok config-files"
	kept() {
		[ -f /etc/tine/tine.conf ] && [ ! -e /usr/sbin/tine ] &&
		    [ -f /var/log/tine/access.log ] && site_link
	}
	check "dpkg -r: the config, the link and the logs kept; the binary gone" \
	    kept

	# An admin who disabled the demo site keeps it disabled. And another
	# server holds port 80: the start fails, the install must not.
	rm /etc/tine/sites-enabled/default.conf
	hold_port80 &
	holder=$!
	check "another server holds port 80" poll 10 test -e "$tmp/held"
	check "reinstall, port 80 taken: dpkg -i: exit 0" \
	    dpkg_run reinstall -i "$deb"
	check "reinstall, port 80 taken: installed, not half-configured" \
	    status_is "install ok installed"
	check "reinstall, port 80 taken: says tine is not started" \
	    grep -q "tine: not started" "$tmp/dpkg-reinstall.out" ||
	    show "$tmp/dpkg-reinstall.out"
	unlinked() {
		[ ! -e /etc/tine/sites-enabled/default.conf ] &&
		    [ ! -L /etc/tine/sites-enabled/default.conf ]
	}
	check "reinstall: the removed sites-enabled link stays removed" unlinked
	kill "$holder"
	wait "$holder" 2>/dev/null
	check "port 80 free again: /etc/init.d/tine start: exit 0" \
	    /etc/init.d/tine start
	check "tine runs" has_pids
	check "error log: no [emerg], [alert] or [crit] line" no_bad_levels ||
	    show /var/log/tine/error.log

	check "dpkg -P: exit 0" dpkg_run purge -P tine
	check "dpkg -P: no warning" dpkg_quiet purge
	check "dpkg -P: tine stopped" poll 10 no_tine
	purged() {
		# dpkg forgets a purged package: no status at all.
		_s=$(dpkg-query -W -f '${Status}' tine 2>/dev/null)
		[ -z "$_s" ] || { note "dpkg status: '$_s'"; return 1; }
	}
	check "dpkg -P: dpkg no longer knows tine" purged
	check "dpkg -P: nothing left: config, links, logs" nothing_left
}
has_pids() {
	[ -n "$(tine_pids)" ]
}
# hold_port80: listen on 127.0.0.1:80 as another server would, touch
# $tmp/held once listening, and stay until killed (or 120 s).
hold_port80() {
	exec python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 80))
s.listen()
open(sys.argv[1], "w").close()
time.sleep(120)' "$tmp/held"
}

if [ "${1:-}" = --sandbox ]; then
	tmp=$2
	deb=$3
	ov=$tmp/overlay
	sandbox_main
	exit 0
fi

# ---- outside: preconditions ----

if [ -z "${TINE_BIN:-}" ] || [ -z "${TINE_SRCDIR:-}" ]; then
	echo "test_deb.sh: set TINE_BIN and TINE_SRCDIR (make check does)" >&2
	exit 99
fi
if [ "${TINE_DEB_TEST:-}" = skip ]; then
	echo "SKIP: TINE_DEB_TEST=skip"
	exit 77
fi
builddir=$(cd "$(dirname "$TINE_BIN")" && pwd) || exit 99
if [ ! -f "$builddir/Makefile" ]; then
	echo "SKIP: no Makefile next to $TINE_BIN to run make deb with"
	exit 77
fi
for tool in dpkg-buildpackage dpkg-deb dh lintian; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed (apt-get install dpkg-dev" \
		    "debhelper lintian, or ./autogen.sh --deps)"
		exit 77
	fi
done
MAKE=${MAKE:-make}
# The parent make's jobserver descriptors are not ours (see test_install.sh).
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed 's/--jobserver-[a-z]*=[^ ]*//g')
export MAKEFLAGS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tine-deb-test.XXXXXX") || exit 99
case $tmp in
/*) ;;
*) tmp=$(cd "$tmp" && pwd) ;;
esac
trap 'finish "$tmp" $?' EXIT
trap 'exit 1' HUP INT TERM

version=$("$MAKE" -s --no-print-directory -C "$builddir" -f Makefile \
    -f - tine-test-version <<'EOF'
tine-test-version:
	@echo "$(VERSION)"
EOF
) || exit 99
version=$(printf '%s\n' "$version" | tail -n 1)
arch=$(dpkg-architecture -qDEB_HOST_ARCH) || exit 99
deb=$tmp/tine_${version}_$arch.deb

# ---- make deb ----

start=$(date +%s)
if ! "$MAKE" --no-print-directory -C "$builddir" deb debdir="$tmp" \
    >"$tmp/make-deb.out" 2>&1; then
	show "$tmp/make-deb.out"
	notok "make deb"
	echo "Bail out! make deb failed"
	exit 1
fi
ok "make deb wrote tine_${version}_$arch.deb ($(($(date +%s) - start)) s)"
check "the build log is kept beside it" test -s "$tmp/tine_${version}_$arch.build"
built_from_copy() {
	# The tree make deb read keeps no debian/ directory.
	[ ! -e "$TINE_SRCDIR/debian" ] && [ ! -e "$builddir/debian" ]
}
check "no debian/ directory left in the source or build tree" built_from_copy
unit_tests_ran() {
	grep -q 'override_dh_auto_test' "$tmp/tine_${version}_$arch.build" &&
	    grep -qE '^# PASS: +[1-9]' "$tmp/tine_${version}_$arch.build"
}
check "the build ran the unit tests" unit_tests_ran

# ---- lintian ----

# Info tags are shown, not failed on: each lintian release adds some.
lintian --fail-on error,warning --display-info "$deb" >"$tmp/lintian.out" 2>&1
lrc=$?
grep -v 'running with root privileges' "$tmp/lintian.out" >"$tmp/lintian.tags"
check "lintian: no error, no warning" test "$lrc" -eq 0 ||
    note "lintian exited $lrc"
[ -s "$tmp/lintian.tags" ] && show "$tmp/lintian.tags"

# ---- the package's fields and contents ----

field() {
	dpkg-deb -f "$deb" "$1"
}
fields_ok() {
	_bad=0
	[ "$(field Package)" = tine ] || _bad=1
	[ "$(field Version)" = "$version" ] || _bad=1
	[ "$(field Architecture)" = "$arch" ] || _bad=1
	# ${shlibs:Depends} found the libraries the binary links.
	for _lib in libconfuse2 libbsd0 libseccomp2 libcrypt1 libmd0 libc6; do
		field Depends | grep -qE "(^|, )$_lib( |,|$)" ||
		    { note "Depends lacks $_lib"; _bad=1; }
	done
	field Pre-Depends | grep -q init-system-helpers ||
	    { note "Pre-Depends lacks init-system-helpers"; _bad=1; }
	[ "$_bad" -eq 0 ] || dpkg-deb -f "$deb" | show
	return "$_bad"
}
check "fields: tine $version $arch, Depends from shlibs" fields_ok

mkdir "$tmp/ctrl" && dpkg-deb -e "$deb" "$tmp/ctrl" || exit 1
printf '%s\n' /etc/default/tine /etc/init.d/tine /etc/logrotate.d/tine \
    /etc/tine/sites-available/default.conf /etc/tine/tine.conf \
    >"$tmp/conffiles.want"
conffiles_ok() {
	LC_ALL=C sort "$tmp/ctrl/conffiles" | cmp -s - "$tmp/conffiles.want" ||
	    { show "$tmp/ctrl/conffiles"; return 1; }
}
check "conffiles: every file under /etc, and only those" conffiles_ok
scripts_ok() {
	_bad=0
	has_line "$tmp/ctrl/postinst" "		update-rc.d tine defaults >/dev/null" ||
	    _bad=1
	grep -q "deb-systemd-helper enable 'tine.service'" "$tmp/ctrl/postinst" ||
	    { note "postinst does not enable tine.service"; _bad=1; }
	grep -q "deb-systemd-invoke stop 'tine.service'" "$tmp/ctrl/prerm" ||
	    { note "prerm does not stop tine.service"; _bad=1; }
	# Each snippet once, where #DEBHELPER# stands (after our own code).
	for _s in postinst prerm postrm; do
		_n=$(grep -c '^# Automatically added by dh_installinit' \
		    "$tmp/ctrl/$_s")
		[ "$_n" -eq 1 ] ||
		    { note "$_s has dh_installinit's snippet $_n times"; _bad=1; }
	done
	return "$_bad"
}
check "maintainer scripts: dh_installinit's and dh_installsystemd's" scripts_ok

# Every path with its type and mode ("-rwxr-xr-x ./usr/sbin/tine").
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' >"$tmp/contents"
{
	echo "-rwxr-xr-x ./usr/sbin/tine"
	# dh_fixperms takes a shared object's execute bits, as Debian wants.
	echo "-rw-r--r-- ./usr/lib/tine/tls.so"
	echo "-rwxr-xr-x ./etc/init.d/tine"
	echo "-rw-r--r-- ./etc/default/tine"
	echo "-rw-r--r-- ./etc/logrotate.d/tine"
	echo "-rw-r--r-- ./etc/tine/tine.conf"
	echo "-rw-r--r-- ./etc/tine/sites-available/default.conf"
	echo "drwxr-xr-x ./etc/tine/sites-enabled/"
	echo "-rw-r--r-- ./lib/systemd/system/tine.service"
	echo "-rw-r--r-- ./usr/share/man/man8/tine.8.gz"
	echo "-rw-r--r-- ./usr/share/man/man5/tine.conf.5.gz"
	echo "-rw-r--r-- ./usr/share/doc/tine/copyright"
	echo "-rw-r--r-- ./usr/share/doc/tine/changelog.gz"
	echo "drwxr-xr-x ./var/log/tine/"
	(cd "$TINE_SRCDIR/etc/www" && find . -type f) | sed 's,^\./,,' |
	    while IFS= read -r f; do echo "-rw-r--r-- ./usr/share/tine/www/$f"; done
} >"$tmp/contents.want"
contents_ok() {
	_bad=0
	while IFS= read -r _l; do
		grep -qxF -- "$_l" "$tmp/contents" || { note "missing: $_l"; _bad=1; }
	done <"$tmp/contents.want"
	# No /run (a tmpfs), no sites-enabled link (postinst makes it on a
	# first install), nothing outside the Debian directories.
	if grep -vE ' \./(|etc/.*|lib/|lib/systemd/.*|usr/.*|var/|var/log/|var/log/tine/)$' \
	    "$tmp/contents" >"$tmp/contents.odd" ||
	    grep -q 'sites-enabled/.' "$tmp/contents"; then
		note "unexpected:"
		show "$tmp/contents.odd"
		grep 'sites-enabled/.' "$tmp/contents" | show
		_bad=1
	fi
	return "$_bad"
}
check "files: binary, init script, unit, logrotate, man pages, demo site, log dir" \
    contents_ok
# Each file comes from one place (make install), not also from a dh tool.
files_once() {
	[ -z "$(awk '{ print $2 }' "$tmp/contents" | sort | uniq -d)" ]
}
check "files: no path twice" files_once

# The shipped binary accepts the shipped config (its paths moved into the
# extracted tree: /etc/tine -> X/etc/tine and so on).
x=$tmp/x
dpkg-deb -x "$deb" "$x" || exit 1
sed -e "s,\"/var/log/tine/,\"$x/var/log/tine/,g" -e "s,\"/run/,\"$tmp/,g" \
    -e "s,^include = \"sites-enabled,include = \"$x/etc/tine/sites-enabled,g" \
    "$x/etc/tine/tine.conf" >"$tmp/tine.conf"
mkdir -p "$x/etc/tine/sites-enabled"
sed "s,\"/usr/share/tine/www\",\"$x/usr/share/tine/www\"," \
    "$x/etc/tine/sites-available/default.conf" \
    >"$x/etc/tine/sites-enabled/default.conf"
"$x/usr/sbin/tine" -t -c "$tmp/tine.conf" >"$tmp/t.out" 2>&1
trc=$?
check "the shipped tine -t accepts the shipped config: 'configuration OK'" \
    test "$trc" -eq 0 -a "$(grep -c 'configuration OK' "$tmp/t.out")" -eq 1 ||
    show "$tmp/t.out"
# The shipped binary finds the shipped TLS module from its own directory
# (/usr/sbin/../lib/tine, as rpath's $ORIGIN would), here in the extracted
# tree rather than the system's /usr/lib/tine, and loads it.
check "the shipped tine loads the shipped TLS module (../lib/tine/tls.so)" \
    module_loads "$x/usr/sbin/tine" "$x/usr/lib/tine/tls.so"

# ---- install, remove, purge in a sandbox ----

sandbox_ok() {
	[ "$(id -u)" -eq 0 ] || { note "not root"; return 1; }
	for _t in unshare curl ip mount python3; do
		command -v "$_t" >/dev/null 2>&1 || { note "no $_t"; return 1; }
	done
	case $tmp in
	/etc/*|/usr/*|/var/*) note "TMPDIR is below an overlaid directory"; return 1 ;;
	esac
	grep -qw overlay /proc/filesystems || { note "no overlayfs"; return 1; }
	unshare --mount --net --pid --fork true 2>/dev/null ||
	    { note "unshare --mount --net --pid refused"; return 1; }
}
if sandbox_ok; then
	cp "$deb" "$tmp/sandbox.deb"
	TINE_DEB_NCHECKS=$nchecks unshare --mount --net --pid --fork \
	    --mount-proc --propagation private sh "$0" --sandbox "$tmp" \
	    "$tmp/sandbox.deb"
	if read -r nchecks sfailed <"$tmp/sandbox.counts"; then
		nfailed=$((nfailed + sfailed))
	else
		notok "the sandbox reported its results"
	fi
else
	note "the install in a sandbox needs root, unshare, ip, curl, python3" \
	    "and overlayfs: not tried (see the README for the manual check)"
fi

echo "# $nchecks checks, $nfailed failed"
[ "$nfailed" -eq 0 ] || exit 1
exit 0
