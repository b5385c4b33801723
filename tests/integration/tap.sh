# tap.sh: the reporting of the shell tests, sourced: ok/notok lines
# (TAP-like, counted in nchecks and nfailed), notes, and check and poll.
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
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
	_desc=$1
	shift
	if "$@"; then
		ok "$_desc"
		return 0
	fi
	notok "$_desc"
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
