# tap.sh: the reporting of the shell tests, sourced: ok/notok lines
# (TAP-like, counted in nchecks and nfailed), notes, check and poll, the
# end of a test that made a temporary tree, and the check of which TLS
# module an installed binary loads.
# shellcheck shell=sh

nchecks=0
nfailed=0
ok() {
	nchecks=$((nchecks + 1))
	echo "ok $nchecks - $*"
}
notok() {
	nchecks=$((nchecks + 1))
	nfailed=$((nfailed + 1))
	echo "not ok $nchecks - $*"
}
note() {
	echo "# $*"
}
# Indent a file or stdin as a comment block.
show() {
	sed 's/^/#   /' "$@"
}
# What a test runs after each failed check, to show why (a log's tail).
check_failed=:
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; else not ok, and
# $check_failed runs.
check() {
	_desc=$1
	shift
	if "$@"; then
		ok "$_desc"
		return 0
	fi
	notok "$_desc"
	$check_failed
	return 1
}
# poll SECONDS COMMAND...: run COMMAND every 0.05 s until it succeeds; 1
# when it still fails after SECONDS (counted in steps and on the clock).
poll() {
	_n=$(($1 * 20))
	_end=$(($(date +%s) + $1 + 1))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] && [ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.05
	done
	return 0
}
# finish DIR STATUS: the end of a test, from its EXIT trap: remove its
# temporary tree DIR, or keep it for a post-mortem when TINE_KEEP is set;
# exit STATUS.
finish() {
	trap - EXIT
	if [ -n "${TINE_KEEP:-}" ]; then
		note "kept $1"
	else
		rm -rf "$1"
	fi
	exit "$2"
}
# module_loads BINARY MODULE: BINARY -v says it loads the TLS module
# MODULE (its directory resolved, as the kernel resolves the binary's path
# that the lookup starts from); the output is shown when it does not. $tmp
# is the test's temporary tree.
module_loads() {
	_want=$(readlink -f "${2%/*}")/tls.so
	"$1" -v >"$tmp/v.out" 2>&1
	grep -qF "TLS module $_want (OpenSSL " "$tmp/v.out" && return 0
	note "want 'TLS module $_want (OpenSSL ...)' from $1 -v:"
	show "$tmp/v.out"
	return 1
}
