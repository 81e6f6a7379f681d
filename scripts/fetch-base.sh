#!/usr/bin/env bash
# Fetch the pinned base kernel source (Debian's linux-source-7.3) into a cache
# directory, without touching the machine's apt configuration.
#
# Output: prints the path of the extracted tree on stdout (last line).
# Env:    CACHE (default: $HOME/.cache/fdbox), KSRC (use an existing tree).
set -euo pipefail

PKG=linux-source-7.3
PIN_VERSION=7.3.4-1~bpo13+1
SUITE=trixie-backports
CACHE=${CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/fdbox}

die() { echo "fetch-base: error: $*" >&2; exit 1; }
log() { echo "fetch-base: $*" >&2; }

if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/kernel" ] ||
		die "KSRC=$KSRC is not a kernel source tree (no Makefile/kernel/)"
	echo "$KSRC"
	exit 0
fi

for t in apt-get dpkg-deb sha256sum tar xz; do
	command -v "$t" >/dev/null || die "missing tool '$t'; install it (apt-get install $t)"
done

mkdir -p "$CACHE"
APTDIR=$CACHE/apt
mkdir -p "$APTDIR"/{state/lists/partial,cache/archives/partial,etc/preferences.d,etc/apt.conf.d}

# The mirror URI comes from the machine's own Debian source entry, read now.
uri=""
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	u=$(awk '/^URIs:/ {print $2; exit}' "$f")
	case "$u" in *debian-security*|"") ;; *) if grep -q 'debian-archive-keyring' "$f"; then uri=$u; break; fi ;; esac
done
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
	uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$uri" ] || die "no Debian source entry found in /etc/apt; cannot locate a mirror (set KSRC=/path/to/linux instead)"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "missing $keyring (apt-get install debian-archive-keyring)"
cat >"$APTDIR/etc/sources.list" <<SRC
deb [signed-by=$keyring] $uri $SUITE main
SRC

APT_OPTS=(-o "Dir::Etc::SourceList=$APTDIR/etc/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::Etc::Preferences=/dev/null"
	-o "Dir::Etc::PreferencesParts=$APTDIR/etc/preferences.d"
	-o "Dir::State=$APTDIR/state"
	-o "Dir::State::status=/dev/null"
	-o "Dir::Cache=$APTDIR/cache"
	-o "APT::Get::List-Cleanup=0"
	-o "Debug::NoLocking=1"
	-o "APT::Sandbox::User=root")

deb=$(ls "$CACHE"/${PKG}_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	log "updating private apt lists ($uri $SUITE)"
	apt-get "${APT_OPTS[@]}" -qq update >&2 ||
		die "apt-get update of $SUITE failed; check the network or set KSRC"
	version=$PIN_VERSION
	if ! apt-cache "${APT_OPTS[@]}" show "$PKG=$PIN_VERSION" >/dev/null 2>&1; then
		version=$(apt-cache "${APT_OPTS[@]}" policy "$PKG" | awk '/Candidate:/ {print $2}')
		[ -n "$version" ] && [ "$version" != "(none)" ] || die "$PKG is not available in $SUITE"
		log "##################################################################"
		log "WARNING: pinned $PKG $PIN_VERSION is gone; falling back to $version"
		log "##################################################################"
	fi
	sha=$(apt-cache "${APT_OPTS[@]}" show "$PKG=$version" | awk '/^SHA256:/ {print $2; exit}')
	[ -n "$sha" ] || die "no SHA256 for $PKG=$version in the signed index"
	log "downloading $PKG=$version"
	(cd "$CACHE" && apt-get "${APT_OPTS[@]}" -qq download "$PKG=$version" >&2) ||
		die "download of $PKG=$version failed"
	deb=$(ls "$CACHE"/${PKG}_*.deb | head -n 1)
	echo "$sha  $deb" | sha256sum -c --quiet - >&2 ||
		{ rm -f "$deb"; die "SHA-256 mismatch for $deb (removed); retry"; }
	echo "$sha" >"$deb.sha256"
fi

src=$CACHE/linux-7.3
if [ ! -f "$src/.fdbox-extracted" ]; then
	log "extracting $deb"
	rm -rf "$CACHE/x" "$src"
	mkdir -p "$CACHE/x"
	dpkg-deb -x "$deb" "$CACHE/x"
	tarball=$(ls "$CACHE"/x/usr/src/linux-source-*.tar.* | head -n 1)
	[ -f "$tarball" ] || die "no tarball inside $deb"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	rm -rf "$CACHE/x"
	# The stamp names the package it came from (tree.sh keys its cached base on it).
	sha256sum "$deb" | cut -d" " -f1 >"$src/.fdbox-extracted"
fi
echo "$src"
