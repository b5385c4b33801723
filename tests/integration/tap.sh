# tap.sh: the reporting of the shell tests, sourced: ok/notok lines
# (TAP-like, counted in nchecks and nfailed), notes, check and poll, and
# the end of a test that made a temporary tree.
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
