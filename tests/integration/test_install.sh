#!/bin/sh
# test_install.sh: what an administrator gets from "make install", tried for
# real (issue 6). Installs the build into a temporary DESTDIR, checks the
# installed files (and the Debian-style sites-available/ and sites-enabled/
# with the demo site enabled), the man pages (groff), the logrotate file (logrotate -d,
# then a real forced rotation as root) and the systemd unit
# (systemd-analyze verify, where it exists), points the installed config and
# a TINE_DEFAULTS file at the temporary tree and drives the installed init
# script: start, status, a second start, reload (in effect), a broken reload
# and restart (refused, the old config serving), reopen-logs after a mv of
# the logs, restart, stop, status, stop again, stale pid files. Ends with
# make uninstall, which must remove everything but the edited config (and
# an install again keeps the demo site disabled once its link is removed).
#
# Run by "make check" with TINE_BIN (the built binary; its directory is the
# build directory, where make install runs) and TINE_SRCDIR (the sources).
# Set TINE_KEEP=1 to keep the temporary tree for a post-mortem.
# Exit 0 pass, 1 fail, 77 skip (a tool it needs is missing), 99 misuse.

# shellcheck disable=SC2317 # functions called through check and poll
# shellcheck disable=SC2154 # the installation dirs are read from the Makefile

set -u
umask 022
PATH=$PATH:/usr/sbin:/sbin
export PATH

if [ -z "${TINE_BIN:-}" ] || [ -z "${TINE_SRCDIR:-}" ]; then
	echo "test_install.sh: set TINE_BIN and TINE_SRCDIR (make check does)" >&2
	exit 99
fi
srcdir=$TINE_SRCDIR
builddir=$(cd "$(dirname "$TINE_BIN")" && pwd) || exit 99
if [ ! -f "$builddir/Makefile" ]; then
	echo "SKIP: no Makefile next to $TINE_BIN to run make install with"
	exit 77
fi
for tool in curl start-stop-daemon timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
MAKE=${MAKE:-make}
# Under "make -jN check" MAKEFLAGS names the parent's jobserver, whose
# descriptors this script does not have: drop it (the sub-make then warns
# about nothing and runs on its own).
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed 's/--jobserver-[a-z]*=[^ ]*//g')
export MAKEFLAGS

# ---- reporting ----

# shellcheck source=tests/integration/tap.sh
. "${TINE_SRCDIR:-$(dirname "$0")/../..}/tests/integration/tap.sh" || exit 99
# The last lines of the error log (the current one, else the moved one).
show_errlog() {
	for _f in "${errlog:-}" "${errlog:-}.moved"; do
		if [ -n "$_f" ] && [ -s "$_f" ]; then
			note "tail of $_f:"
			tail -n 20 "$_f" | show
			return
		fi
	done
	note "(no error log)"
}
# A failed check prints the error log's tail (run_init has printed the
# init script's output).
check_failed=show_errlog
# Give up: the steps after this one depend on it.
bail() {
	notok "$*"
	show_errlog
	echo "Bail out! $*"
	exit 1
}

# ---- the temporary tree, and cleanup ----

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tine-install.XXXXXX") || exit 99
case $tmp in
/*) ;;
*) tmp=$(cd "$tmp" && pwd) ;;
esac
# mktemp makes it 0700: the workers (www-data when run as root) must reach
# the document roots inside.
chmod 755 "$tmp"
D=$tmp/root
mkdir -m 755 "$D"
bin_real=

# Every process running the installed binary: only this test starts it
# (the path is in our mktemp directory).
our_procs() {
	[ -n "$bin_real" ] || return 0
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = "$bin_real" ] &&
		    echo "${_d#/proc/}"
	done
	return 0
}
# The masters among them: those whose parent is not one of them.
masters() {
	for _p in $(our_procs); do
		_pp=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$_p/status" \
		    2>/dev/null) || continue
		[ -n "$_pp" ] || continue
		[ "$(readlink "/proc/$_pp/exe" 2>/dev/null)" = "$bin_real" ] &&
		    continue
		echo "$_p"
	done
	return 0
}
no_procs() {
	[ -z "$(our_procs)" ]
}

cleanup() {
	_st=$?
	trap - EXIT
	_left=$(masters)
	if [ -n "$_left" ]; then
		note "cleanup: stopping the master(s) left running: $_left"
		# shellcheck disable=SC2086 # a list of pids
		kill -TERM $_left 2>/dev/null
		if ! poll 5 no_procs; then
			# shellcheck disable=SC2046 # a list of pids
			kill -KILL $(our_procs) 2>/dev/null
		fi
	fi
	finish "$tmp" "$_st"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# ---- the installation directories, as configured ----

# Ask the build's Makefile itself, so the test follows --prefix,
# --sysconfdir, --localstatedir, --runstatedir and systemdunitdir.
dirvars="prefix sysconfdir datadir mandir sbindir pkglibdir runstatedir systemdunitdir
tineconfdir tinedefaultdir tineinitddir tinelogrotatedir tinewwwdir tinelogdir
tineman5dir tineman8dir"
{
	echo "tine-test-print-dirs:"
	for v in $dirvars; do
		# shellcheck disable=SC2016 # $(v) is for make
		printf '\t@echo "%s='"'"'$(%s)'"'"'"\n' "$v" "$v"
	done
} >"$tmp/dirs.mk"
if ! "$MAKE" -s --no-print-directory -C "$builddir" -f Makefile \
    -f "$tmp/dirs.mk" tine-test-print-dirs >"$tmp/dirs.out" 2>"$tmp/dirs.err"; then
	show "$tmp/dirs.out" "$tmp/dirs.err"
	bail "read the installation directories from $builddir/Makefile"
fi
# Only our lines: make may have said more (remaking the Makefile).
grep -E "^[a-z0-9]+='[^']*'\$" "$tmp/dirs.out" >"$tmp/dirs.sh"
# shellcheck source=/dev/null
. "$tmp/dirs.sh"
for v in $dirvars; do
	eval "_val=\${$v:-}"
	case $_val in
	/*) ;;
	*) bail "installation directory $v is '$_val', not an absolute path" ;;
	esac
done
note "prefix $prefix, sysconfdir $sysconfdir, runstatedir $runstatedir"

bin=$D$sbindir/tine
conf=$D$tineconfdir/tine.conf
site=$D$tineconfdir/sites-available/default.conf
sitelink=$D$tineconfdir/sites-enabled/default.conf
default=$D$tinedefaultdir/tine
initd=$D$tineinitddir/tine
unit=$D$systemdunitdir/tine.service
lrfile=$D$tinelogrotatedir/tine
man8=$D$tineman8dir/tine.8
man5=$D$tineman5dir/tine.conf.5
www=$D$tinewwwdir
logdir=$D$tinelogdir
errlog=$logdir/error.log
acclog=$logdir/access.log
pidfile=$D$runstatedir/tine.pid
defaults=$tmp/defaults

# ---- make install ----

if ! "$MAKE" --no-print-directory -C "$builddir" install DESTDIR="$D" \
    >"$tmp/install.out" 2>&1; then
	tail -n 30 "$tmp/install.out" | show
	bail "make install DESTDIR=$D"
fi
ok "make install DESTDIR=$D"
bin_real=$(readlink -f "$bin")

# Every file install writes, with its mode: nothing missing, nothing else.
{
	echo "$bin 755"
	echo "$D$pkglibdir/tls.so 755"
	echo "$conf 644"
	echo "$site 644"
	echo "$sitelink 777"
	echo "$default 644"
	echo "$initd 755"
	echo "$unit 644"
	echo "$lrfile 644"
	echo "$man8 644"
	echo "$man5 644"
	(cd "$srcdir/etc/www" && find . -type f) | sed 's,^\./,,' |
	    while IFS= read -r f; do echo "$www/$f 644"; done
} | LC_ALL=C sort >"$tmp/expected"
files_as_expected() {
	_bad=0
	while read -r _f _m; do
		if [ ! -f "$_f" ]; then
			note "missing: $_f"
			_bad=1
		elif [ "$(stat -c %a "$_f")" != "$_m" ]; then
			note "$_f: mode $(stat -c %a "$_f"), expected $_m"
			_bad=1
		fi
	done <"$tmp/expected"
	find "$D" ! -type d | LC_ALL=C sort >"$tmp/found"
	sed 's/ [0-7]*$//' "$tmp/expected" |
	    LC_ALL=C comm -13 - "$tmp/found" >"$tmp/extra"
	if [ -s "$tmp/extra" ]; then
		note "installed but not expected:"
		show "$tmp/extra"
		_bad=1
	fi
	return "$_bad"
}
check "every file installed with its mode, and no other file" files_as_expected
site_enabled() {
	[ -L "$sitelink" ] &&
	    [ "$(readlink "$sitelink")" = ../sites-available/default.conf ]
}
check "sites-enabled/default.conf links to ../sites-available/default.conf" \
    site_enabled
dirs_exist() {
	[ -d "$logdir" ] && [ -d "$D$runstatedir" ]
}
check "the log directory and the pid file's directory exist" dirs_exist
(cd "$srcdir/etc/www" && find . -type f) >"$tmp/demo.list"
demo_site_same() {
	_bad=0
	while IFS= read -r _f; do
		cmp -s "$srcdir/etc/www/$_f" "$www/$_f" || { note "differs: $_f"; _bad=1; }
	done <"$tmp/demo.list"
	return "$_bad"
}
check "the demo site is installed unchanged" demo_site_same

# The installed files name the configured paths, not the Debian ones the
# sources carry (comments aside: they may keep Debian examples).
has_line() { # has_line FILE LINE: FILE has exactly this line
	grep -qxF -- "$2" "$1" || { note "$1 lacks the line: $2"; return 1; }
}
paths_rewritten() {
	_bad=0
	has_line "$initd" "DAEMON=$sbindir/tine" || _bad=1
	has_line "$initd" "CONF=$tineconfdir/tine.conf" || _bad=1
	has_line "$initd" "PIDFILE=$runstatedir/tine.pid" || _bad=1
	has_line "$initd" "TINE_DEFAULTS=\${TINE_DEFAULTS:-$tinedefaultdir/tine}" ||
	    _bad=1
	has_line "$unit" "ExecStart=$sbindir/tine -f -c $tineconfdir/tine.conf \$DAEMON_OPTS" ||
	    _bad=1
	has_line "$unit" "EnvironmentFile=-$tinedefaultdir/tine" || _bad=1
	has_line "$lrfile" "$tinelogdir/*.log {" || _bad=1
	has_line "$site" "document_root = \"$tinewwwdir\"" || _bad=1
	has_line "$conf" "include = \"sites-enabled/*.conf\"" || _bad=1
	# The sites' options are in their own files, not in tine.conf.
	if grep -q '^document_root' "$conf"; then
		note "$conf sets document_root itself"
		_bad=1
	fi
	has_line "$conf" "pid_file = \"$runstatedir/tine.pid\"" || _bad=1
	has_line "$conf" "error_log = \"$tinelogdir/error.log\"" || _bad=1
	has_line "$conf" "access_log = \"$tinelogdir/access.log\"" || _bad=1
	# Debian paths left in active lines, where they differ from ours.
	for pair in "/usr/sbin/tine $sbindir/tine" "/etc/tine/ $tineconfdir/" \
	    "/etc/default/tine $tinedefaultdir/tine" \
	    "/etc/init.d/tine $tineinitddir/tine" \
	    "/etc/logrotate.d/tine $tinelogrotatedir/tine" \
	    "/usr/share/tine/www $tinewwwdir" "/var/www/tine $tinewwwdir" \
	    "/var/log/tine $tinelogdir" "/run/tine.pid $runstatedir/tine.pid"; do
		_deb=${pair%% *}
		[ "$_deb" = "${pair#* }" ] && continue
		for _f in "$conf" "$site" "$default" "$initd" "$unit" \
		    "$lrfile"; do
			if grep -v '^[[:space:]]*#' "$_f" |
			    grep -E "(^|[^[:alnum:]_./-])$_deb" >"$tmp/grep"; then
				note "$_f still names $_deb:"
				show "$tmp/grep"
				_bad=1
			fi
		done
	done
	return "$_bad"
}
check "the installed files name the configured paths" paths_rewritten
version=$("$bin" -v 2>&1 | sed -n 's/^tine //p')
check "the installed binary runs (tine -v: $version)" test -n "$version"
# The binary finds its TLS module from its own directory, as rpath's
# $ORIGIN finds libraries: the one installed with it under DESTDIR, never
# the system's $pkglibdir/tls.so; and so does a copy of the tree moved to
# another prefix. (tine -v names the module it would load, and whether it
# does; the kernel has resolved any symlink in the binary's path.)
# (module_loads is tap.sh's.)
check "the installed binary loads the module installed with it" \
    module_loads "$bin" "$D$pkglibdir/tls.so"
module_moved() {
	case $sbindir:$pkglibdir in
	"$prefix"/*:"$prefix"/*) ;;
	*) note "sbindir or pkglibdir is not below prefix: nothing to move"
	   return 0 ;;
	esac
	_m=$tmp/moved
	mkdir -p "$_m${sbindir#"$prefix"}" "$_m${pkglibdir#"$prefix"}" &&
	    cp "$bin" "$_m${sbindir#"$prefix"}/tine" &&
	    cp "$D$pkglibdir/tls.so" "$_m${pkglibdir#"$prefix"}/tls.so" &&
	    module_loads "$_m${sbindir#"$prefix"}/tine" \
	    "$_m${pkglibdir#"$prefix"}/tls.so"
}
check "a copy of the installed tree under another prefix loads its module" \
    module_moved

# ---- man pages ----

command -v groff >/dev/null 2>&1 ||
    notok "groff is not installed (apt-get install groff-base)"
for page in "$man8" "$man5"; do
	name=${page##*/}
	command -v groff >/dev/null 2>&1 || break
	groff -man -ww -z "$page" >"$tmp/groff.out" 2>&1
	grc=$?
	if ! check "groff -man -ww -z $name: exit 0, no warning" \
	    test "$grc" -eq 0 -a ! -s "$tmp/groff.out"; then
		show "$tmp/groff.out"
	fi
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.out" 2>"$tmp/man.err"
		mrc=$?
		grep -iE 'warning|error' "$tmp/man.err" >"$tmp/man.warn"
		if ! check "man -l $name renders, no warning" \
		    test "$mrc" -eq 0 -a -s "$tmp/man.out" -a ! -s "$tmp/man.warn"; then
			show "$tmp/man.err"
		fi
	else
		note "man is not installed: man -l $name not tried"
	fi
done

# ---- logrotate -d ----

if command -v logrotate >/dev/null 2>&1; then
	logrotate -d -s "$tmp/logrotate.state.d" "$lrfile" >"$tmp/lr.out" 2>&1
	lrc=$?
	grep -iE '^error|error:' "$tmp/lr.out" >"$tmp/lr.err"
	if ! check "logrotate -d on the installed logrotate file" \
	    test "$lrc" -eq 0 -a ! -s "$tmp/lr.err"; then
		show "$tmp/lr.out"
	fi
else
	notok "logrotate is not installed (apt-get install logrotate)"
fi

# ---- systemd-analyze verify ----

if command -v systemd-analyze >/dev/null 2>&1; then
	# The installed unit names the final paths; verify a copy that names
	# the DESTDIR ones, so the binary it runs exists, and find the man
	# pages of Documentation= there too.
	mkdir "$tmp/unit"
	sed -e "s,$sbindir/tine,$D$sbindir/tine,g" \
	    -e "s,$tineconfdir/,$D$tineconfdir/,g" \
	    -e "s,$tinedefaultdir/tine,$D$tinedefaultdir/tine,g" \
	    -e "s,$runstatedir/tine.pid,$D$runstatedir/tine.pid,g" \
	    "$unit" >"$tmp/unit/tine.service"
	if command -v man >/dev/null 2>&1; then
		manopt=--man=yes
	else
		manopt=--man=no
	fi
	MANPATH=$D$mandir SYSTEMD_LOG_COLOR=0 systemd-analyze verify $manopt \
	    "$tmp/unit/tine.service" >"$tmp/sa.out" 2>&1
	src=$?
	if grep -E "tine|$tmp" "$tmp/sa.out" >"$tmp/sa.tine"; then
		notok "systemd-analyze verify tine.service (exit $src)"
		show "$tmp/sa.out"
	elif [ "$src" -ne 0 ]; then
		note "systemd-analyze verify failed for a reason outside the unit" \
		    "(exit $src; a container without systemd?):"
		show "$tmp/sa.out"
	else
		ok "systemd-analyze verify tine.service"
	fi
else
	note "systemd-analyze is not installed: the unit is not verified"
fi

# ---- point the installed config and the defaults at the temporary tree ----

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null || shuf -i 20000-60999 -n 1
}

cp "$conf" "$tmp/tine.conf.pristine"
cp "$site" "$tmp/site.pristine"
# The demo site served first; a second document root for the reload.
site2=$tmp/site2
mkdir -m 755 "$site2"
printf '<!doctype html><title>reloaded</title><p>site2 %s\n' "$$" \
    >"$site2/index.html"
# conf_good1 PORT: the first config, written over the installed one. The
# document root is the demo site's file's, which tine.conf includes.
conf_good1() {
	sed -e "s|^listen = .*|listen = { \"127.0.0.1:$1\" }|" \
	    -E -e "s#^(document_root|pid_file|error_log|access_log) = \"/#\\1 = \"$D/#" \
	    "$tmp/tine.conf.pristine" >"$tmp/tine.conf.good1"
	cat >>"$tmp/tine.conf.good1" <<EOF

# test_install.sh
workers = 2
worker_shutdown_timeout = 5
EOF
	sed "s|^document_root = \"/|document_root = \"$D/|" \
	    "$tmp/site.pristine" >"$tmp/site.good1"
	# The reload changes what is observable over HTTP: the Server header
	# and the document root.
	sed "s|^document_root = .*|document_root = \"$site2\"|" \
	    "$tmp/site.pristine" >"$tmp/site.good2"
	cp "$tmp/tine.conf.good1" "$tmp/tine.conf.good2"
	echo "server_tokens = false" >>"$tmp/tine.conf.good2"
	cp "$tmp/tine.conf.good2" "$tmp/tine.conf.bad"
	echo "workers = many" >>"$tmp/tine.conf.bad"
	badline=$(($(wc -l <"$tmp/tine.conf.bad")))
	conf_use good1
}
# conf_use good1|good2|bad: put that tine.conf and its demo site's file in
# place (bad is good2 with one bad line).
conf_use() {
	cp "$tmp/tine.conf.$1" "$conf"
	if [ "$1" = good1 ]; then
		cp "$tmp/site.good1" "$site"
	else
		cp "$tmp/site.good2" "$site"
	fi
}
port=$(free_port)
conf_good1 "$port"
conf_is_ours() {
	has_line "$conf" "listen = { \"127.0.0.1:$port\" }" &&
	has_line "$site" "document_root = \"$www\"" &&
	has_line "$conf" "pid_file = \"$pidfile\"" &&
	has_line "$conf" "error_log = \"$errlog\"" &&
	has_line "$conf" "access_log = \"$acclog\""
}
conf_is_ours || bail "rewrite the installed tine.conf to the temporary paths"
"$bin" -t -c "$conf" >"$tmp/t.out" 2>&1
trc=$?
check "tine -t on the installed config (its site read through the include)" \
    test "$trc" -eq 0 || show "$tmp/t.out"

cp "$default" "$defaults"
cat >>"$defaults" <<EOF

# test_install.sh
DAEMON="$bin"
CONF="$conf"
PIDFILE="$pidfile"
STOP_TIMEOUT=10
EOF

# run_init ACTION: the installed init script, reading our defaults; sets rc
# and out. Its output goes through a file, never a pipe a daemon could keep.
# SYSTEMCTL_SKIP_REDIRECT: lsb's init-functions must not hand the action to
# systemctl on a host that runs systemd.
run_init() {
	TINE_DEFAULTS=$defaults SYSTEMCTL_SKIP_REDIRECT=1 \
	    timeout 60 "$initd" "$1" >"$tmp/init.out" 2>&1 </dev/null
	rc=$?
	out=$(cat "$tmp/init.out")
	note "$initd $1: exit $rc"
	printf '%s\n' "$out" | show
}

# out_has TEXT: the last init script output holds TEXT.
out_has() {
	printf '%s\n' "$out" | grep -qF -- "$1"
}
rc_is() { # rc_is N [TEXT]: the init script exited N and said TEXT
	[ "$rc" -eq "$1" ] && { [ $# -lt 2 ] || out_has "$2"; }
}
rc_fails() { # rc_fails [TEXT]: the init script failed and said TEXT
	[ "$rc" -ne 0 ] && { [ $# -lt 1 ] || out_has "$1"; }
}

# ---- HTTP ----

# get PATH: sets code; the body in $tmp/body, the head in $tmp/hdrs.
get() {
	rm -f "$tmp/body" "$tmp/hdrs"
	code=$(curl -sS --noproxy '*' --max-time 5 -o "$tmp/body" \
	    -D "$tmp/hdrs" -w '%{http_code}' "http://127.0.0.1:$port$1" \
	    2>"$tmp/curl.err") || code=000
}
header() {
	sed -n "s/^$1:[[:space:]]*//Ip" "$tmp/hdrs" 2>/dev/null | tr -d '\r' |
	    tail -n 1
}
# serves WHICH: / answers 200 with the demo site (1) or site2 (2), and the
# Server header of that config.
serves() {
	get /
	if [ "$1" = 1 ]; then
		_want=$www/index.html
		_server=tine/$version
	else
		_want=$site2/index.html
		_server=tine
	fi
	[ "$code" = 200 ] && cmp -s "$tmp/body" "$_want" &&
	    [ "$(header Server)" = "$_server" ]
}
# Say what / answered, after serves failed.
show_answer() {
	note "GET / answered $code, Server: $(header Server)"
	[ -s "$tmp/curl.err" ] && show "$tmp/curl.err"
	[ -f "$tmp/body" ] && head -c 300 "$tmp/body" | show
}
check_serves() { # check_serves WHICH DESCRIPTION
	check "$2" serves "$1" || show_answer
}
refused() {
	get /
	[ "$code" = 000 ]
}

# ---- the master ----

pid_in_file() {
	cat "$pidfile" 2>/dev/null
}
# one_master PID: PID is in the pid file and is the only master.
one_master() {
	_m=$(masters)
	if [ "$(pid_in_file)" = "$1" ] && [ "$_m" = "$1" ]; then
		return 0
	fi
	note "pid file: $(pid_in_file), expected $1; masters running: $_m"
	return 1
}
# The daemon keeps none of the caller's descriptors (the init script's
# output file stands for a caller's pipe).
detached() {
	for _fd in 0 1 2; do
		_t=$(readlink "/proc/$1/fd/$_fd" 2>/dev/null)
		case $_t in
		"$tmp/init.out"*) note "master's fd $_fd is $_t"; return 1 ;;
		esac
	done
	return 0
}
last_ready_gen() { # the generation of the last "master ready" in a log
	sed -n 's/.*master ready: [0-9]* workers, generation \([0-9]*\).*/\1/p' \
	    "$1" 2>/dev/null | tail -n 1
}
count_in() { # count_in FILE TEXT: lines of FILE holding TEXT (0 if none)
	grep -cF -- "$2" "$1" 2>/dev/null || true
}

# ---- configtest, start ----

run_init configtest
check "configtest: exit 0, configuration OK" rc_is 0 "configuration OK"

tries=0
while :; do
	run_init start
	tries=$((tries + 1))
	if [ "$rc" -eq 0 ] || [ "$tries" -ge 3 ] || ! out_has "in use"; then
		break
	fi
	# Another program took the port in between: pick another one.
	port=$(free_port)
	conf_good1 "$port"
	note "port taken; trying $port"
done
if ! check "start: exit 0" test "$rc" -eq 0; then
	echo "Bail out! the server did not start"
	exit 1
fi
pid=$(pid_in_file)
check "start: the pid file names the only master ($pid)" one_master "$pid"
check "start: the master keeps none of the caller's descriptors" detached "$pid"
# start returns once every worker serves: no waiting here.
check_serves 1 "start: serving the demo site at once, Server: tine/$version"
get /style.css
check "start: GET /style.css 200 text/css" \
    test "$code" = 200 -a "$(header Content-Type | cut -d';' -f1)" = text/css

# ---- status, second start ----

run_init status
check "status: exit 0 while running, naming pid $pid" rc_is 0 "$pid"

run_init start
check "second start: exit 0, already running" rc_is 0 "already running"
check "second start: still one master, the same pid" one_master "$pid"
check_serves 1 "second start: still serving"

# ---- reload ----

conf_use good2
gen=$(last_ready_gen "$errlog")
run_init reload
check "reload with a changed config: exit 0" test "$rc" -eq 0
check_serves_poll() { # check_serves_poll WHICH DESCRIPTION
	if poll 10 serves "$1"; then
		ok "$2"
	else
		notok "$2"
		show_answer
		show_errlog
	fi
}
check_serves_poll 2 "reload: the new document root and Server: tine in effect"
new_ready() { [ "$(last_ready_gen "$errlog")" != "$gen" ]; }
check "reload: the master logs a new generation ready" poll 10 new_ready
check "reload: the same master ($pid), no other" one_master "$pid"

# ---- broken config: reload, configtest and restart refuse ----

conf_use bad
hups=$(count_in "$errlog" "reload requested")
run_init reload
check "reload with a broken config: refused (exit $rc)" rc_fails
check "reload with a broken config: prints the error at $conf:$badline" \
    out_has "$conf:$badline: workers"
check "reload with a broken config: the master was not signalled" \
    test "$(count_in "$errlog" "reload requested")" = "$hups"
check_serves 2 "reload with a broken config: the old config still serving"
check "reload with a broken config: the same master" one_master "$pid"

run_init configtest
check "configtest with a broken config: exit non-zero, the error printed" \
    rc_fails "$conf:$badline: workers"

run_init restart
check "restart with a broken config: refused (exit $rc)" rc_fails
check "restart with a broken config: prints the error" \
    out_has "$conf:$badline: workers"
check "restart with a broken config: the same master" one_master "$pid"
check_serves 2 "restart with a broken config: the old config still serving"
conf_use good2

# ---- reopen-logs after mv ----

get "/?before-mv-$$"
in_log() { # in_log FILE TEXT
	grep -qF -- "$2" "$1" 2>/dev/null
}
check "a request before the mv is logged" poll 5 in_log "$acclog" "before-mv-$$"
gen=$(last_ready_gen "$errlog")
mv "$acclog" "$acclog.moved"
mv "$errlog" "$errlog.moved"
run_init reopen-logs
check "reopen-logs: exit 0" test "$rc" -eq 0
# The master opens new files and starts a generation that writes there;
# once the old one has finished, every line goes to the new files.
reopened() {
	[ -f "$acclog" ] && [ -f "$errlog" ] && new_ready &&
	    in_log "$errlog" "generation $gen finished"
}
check "reopen-logs: new log files, the old generation $gen finished" \
    poll 10 reopened
check "reopen-logs: the new files are mode 0640" \
    test "$(stat -c %a "$acclog" 2>/dev/null)" = 640 -a \
    "$(stat -c %a "$errlog" 2>/dev/null)" = 640
get "/?after-mv-$$"
check "reopen-logs: the next request answered" test "$code" = 200
check "reopen-logs: its line goes to the new access log" \
    poll 5 in_log "$acclog" "after-mv-$$"
check "reopen-logs: the moved log keeps the earlier lines, and only them" \
    test "$(count_in "$acclog.moved" "before-mv-$$")" = 1 -a \
    "$(count_in "$acclog.moved" "after-mv-$$")" = 0 -a \
    "$(count_in "$acclog" "before-mv-$$")" = 0
check "reopen-logs: the same master" one_master "$pid"

# ---- restart ----

run_init restart
check "restart: exit 0" test "$rc" -eq 0
newpid=$(pid_in_file)
restarted() {
	[ -n "$newpid" ] && [ "$newpid" != "$pid" ] && one_master "$newpid"
}
check "restart: a new master ($pid -> $newpid), the only one" restarted
pid=$newpid
check_serves 2 "restart: serving at once with the current config"

# ---- upgrade: make install again, then the init script's upgrade ----

"$MAKE" --no-print-directory -C "$builddir" install DESTDIR="$D" \
    >"$tmp/install.out" 2>&1
check "make install over the running server: exit 0" test "$?" -eq 0
run_init upgrade
check "upgrade: exit 0, naming the new master" rc_is 0 "now serves as pid"
newpid=$(pid_in_file)
upgraded() {
	[ -n "$newpid" ] && [ "$newpid" != "$pid" ] &&
	    one_master "$newpid" 2>/dev/null
}
check "upgrade: a new master ($pid -> $newpid); the old one gone" \
    poll 10 upgraded
check "upgrade: no $pidfile.oldbin left" test ! -e "$pidfile.oldbin"
pid=$newpid
check_serves 2 "upgrade: serving"
# A binary that passes the init script's config test but cannot serve.
mv "$bin" "$tmp/tine.installed"
printf '#!/bin/sh\ncase " $* " in *" -t "*) exit 0 ;; esac\nexit 1\n' \
    >"$bin"
chmod 755 "$bin"
run_init upgrade
check "upgrade to a binary that exits: refused, saying so" \
    rc_fails "upgrade failed: pid $pid serves on"
check "upgrade to a binary that exits: the error log says why" \
    in_log "$errlog" "upgrade failed: the new binary exited during start-up"
# (Back first: our_procs finds tine by the path of its binary.)
mv -f "$tmp/tine.installed" "$bin"
check "upgrade to a binary that exits: the old master serves on" \
    one_master "$pid"
check_serves 2 "upgrade to a binary that exits: serving"

# ---- a real rotation with the installed logrotate file ----

if ! command -v logrotate >/dev/null 2>&1; then
	: # reported above
elif [ "$(id -u)" -ne 0 ]; then
	note "not root: logrotate cannot create files owned by root:adm;" \
	    "the real rotation is not tried"
elif ! getent group adm >/dev/null 2>&1; then
	note "no group adm: the real rotation is not tried"
else
	sed -e "s,$tinelogdir/,$logdir/,g" \
	    -e "s,$sbindir/tine,$bin,g" \
	    -e "s,$tineconfdir/tine.conf,$conf,g" "$lrfile" >"$tmp/logrotate.conf"
	get "/?before-logrotate-$$"
	poll 5 in_log "$acclog" "before-logrotate-$$"
	gen=$(last_ready_gen "$errlog")
	logrotate -f -s "$tmp/logrotate.state" "$tmp/logrotate.conf" \
	    >"$tmp/lr.out" 2>&1
	lrc=$?
	check "logrotate -f with the installed file: exit 0" test "$lrc" -eq 0 ||
	    show "$tmp/lr.out"
	check "logrotate: access.log.1 holds the earlier lines" \
	    in_log "$acclog.1" "before-logrotate-$$"
	check "logrotate: its postrotate made tine start writing new files" \
	    poll 10 reopened
	get "/?after-logrotate-$$"
	check "logrotate: the next request's line is in the new access log" \
	    poll 5 in_log "$acclog" "after-logrotate-$$"
	check "logrotate: and not in access.log.1" \
	    test "$(count_in "$acclog.1" "after-logrotate-$$")" = 0
	check "logrotate: the same master" one_master "$pid"
fi

# ---- stop, status, stop again ----

run_init stop
check "stop: exit 0" test "$rc" -eq 0
check "stop: no tine process left" no_procs
check "stop: the pid file is removed" test ! -e "$pidfile"
check "stop: nothing answers" refused

run_init status
check "status: exit 3 when stopped" test "$rc" -eq 3

run_init stop
check "stop again: exit 0 (idempotent)" test "$rc" -eq 0

# ---- stale pid files ----

sh -c 'exit 0' &
dead=$!
wait "$dead"
echo "$dead" >"$pidfile"
run_init status
check "status with the pid of a dead process in the pid file: exit 1" \
    test "$rc" -eq 1
run_init stop
check "stop with a stale pid file: exit 0" test "$rc" -eq 0
run_init status
check "status after that stop: exit 3" test "$rc" -eq 3

# A live process that is not tine: a reused pid.
echo "$$" >"$pidfile"
run_init status
check "status with the pid of a live process that is not tine: exit 1" \
    test "$rc" -eq 1
run_init start
check "start over a stale pid file: exit 0" test "$rc" -eq 0
pid=$(pid_in_file)
check "start over a stale pid file: the pid file names the only master" \
    one_master "$pid"
check_serves 2 "start over a stale pid file: serving"
run_init stop
check "stop: exit 0" test "$rc" -eq 0
check "stop: no tine process left" no_procs
run_init status
check "status: exit 3" test "$rc" -eq 3

# The server logged no [emerg], [alert] or [crit] line in any of that.
no_bad_levels() {
	! cat "$logdir"/error.log* "$logdir"/*.moved 2>/dev/null |
	    grep -qE '\[(emerg|alert|crit)\]'
}
check "error logs: no [emerg], [alert] or [crit] line" no_bad_levels ||
    show_errlog

# ---- install again, uninstall ----

cp "$conf" "$tmp/tine.conf.edited"
cp "$site" "$tmp/site.edited"
# The admin disables the demo site, as on Debian: the link goes.
rm -f "$sitelink"
"$MAKE" --no-print-directory -C "$builddir" install DESTDIR="$D" \
    >"$tmp/install2.out" 2>&1
irc=$?
check "make install again: exit 0" test "$irc" -eq 0 || show "$tmp/install2.out"
check "make install again: keeps the edited tine.conf" \
    cmp -s "$conf" "$tmp/tine.conf.edited"
check "make install again: keeps the edited sites-available/default.conf" \
    cmp -s "$site" "$tmp/site.edited"
check "make install again: leaves the demo site disabled (no link made)" \
    test ! -e "$sitelink" -a ! -L "$sitelink"
ln -s ../sites-available/default.conf "$sitelink"

# What tine wrote at run time is the admin's to remove, not uninstall's.
rm -f "$logdir"/*.log "$logdir"/*.log.* "$logdir"/*.moved "$pidfile"
"$MAKE" --no-print-directory -C "$builddir" uninstall DESTDIR="$D" \
    >"$tmp/uninstall.out" 2>&1
urc=$?
check "make uninstall: exit 0" test "$urc" -eq 0 || show "$tmp/uninstall.out"
find "$D" ! -type d >"$tmp/left"
printf '%s\n' "$conf" "$site" | LC_ALL=C sort >"$tmp/left.want"
check "make uninstall: removes every file but the edited confs, the link too" \
    test "$(LC_ALL=C sort "$tmp/left")" = "$(cat "$tmp/left.want")" ||
    show "$tmp/left"
says_keeping() {
	grep -qF "keeping $conf" "$tmp/uninstall.out" &&
	    grep -qF "keeping $site" "$tmp/uninstall.out"
}
check "make uninstall: says it keeps the edited tine.conf and default.conf" \
    says_keeping

# Back to what install wrote: now uninstall removes it, and its directories.
cp "$tmp/tine.conf.pristine" "$conf"
cp "$tmp/site.pristine" "$site"
"$MAKE" --no-print-directory -C "$builddir" uninstall DESTDIR="$D" \
    >"$tmp/uninstall2.out" 2>&1
urc=$?
find "$D" ! -type d >"$tmp/left"
check "make uninstall with an unchanged tine.conf: exit 0, no file left" \
    test "$urc" -eq 0 -a ! -s "$tmp/left" || show "$tmp/left" "$tmp/uninstall2.out"
dirs_gone() {
	_bad=0
	for _d in "$D$tineconfdir" "$D$datadir/tine" "$logdir"; do
		[ -e "$_d" ] && { note "left: $_d"; find "$_d" | show; _bad=1; }
	done
	return "$_bad"
}
check "make uninstall: removes the config, data and log directories" dirs_gone

echo "# $nchecks checks, $nfailed failed"
[ "$nfailed" -eq 0 ] || exit 1
exit 0
