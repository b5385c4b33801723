#!/bin/sh
# Regenerate the build system. With --deps, first install the Debian packages
# the build and the tests need (only the missing ones), as root or via sudo.
set -e
cd "$(dirname "$0")"

PKGS="build-essential autoconf automake pkg-config libconfuse-dev libbsd-dev
libseccomp-dev libcrypt-dev libmd-dev libssl-dev libcriterion-dev curl clang logrotate
groff-base python3 wget openssl chromium gdb zlib1g-dev debhelper lintian iproute2
strace haproxy"

# The Let's Encrypt recipe's test (test_acme.sh): an ACME server and certbot.
PKGS="$PKGS pebble certbot"

if [ "$1" = "--deps" ]; then
	missing=
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		SUDO=
		[ "$(id -u)" = 0 ] || SUDO=sudo
		echo "autogen.sh: installing:$missing"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
	fi
fi

mkdir -p m4 build-aux
autoreconf -fi
