#!/usr/bin/env bash
# Create the kernel git tree: the pinned base as one tagged commit, then the
# patch series applied with git am.
#
# Usage: scripts/tree.sh [--force]
# Env:   TREE (default: ./linux), KSRC, CACHE (see fetch-base.sh)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$top/linux}
die() { echo "tree: error: $*" >&2; exit 1; }
log() { echo "tree: $*" >&2; }

if [ "${1:-}" = "--force" ]; then
	rm -rf "$TREE"
elif [ -d "$TREE/.git" ]; then
	if git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null; then
		die "$TREE exists; use 'make tree FORCE=1' to recreate it (its unexported work is lost)"
	fi
	die "$TREE exists but has no 'base' tag; remove it"
fi

src=$("$top/scripts/fetch-base.sh" | tail -n 1)
# The base commit is made once per extracted source and kept as a bare
# repository next to it (CACHE, see fetch-base.sh); later trees clone it
# (hard links) instead of hashing the whole source again. The commit is
# deterministic (fixed author, dates and message), so a cached base and a
# fresh one are the same commit.
basegit=""
[ -n "${KSRC:-}" ] || basegit=$(dirname "$src")/$(basename "$src")-base.git
stampf=$src/.fdbox-extracted
# The key: the package the source came from and this recipe's version (bump
# it when the base commit below changes).
key="$(cat "$stampf" 2>/dev/null) base-recipe-1"
if [ -n "$basegit" ] && [ -s "$stampf" ] && [ -f "$basegit/fdbox-source" ] &&
	[ "$(cat "$basegit/fdbox-source")" = "$key" ] &&
	git -C "$basegit" rev-parse -q --verify refs/tags/base >/dev/null; then
	log "cloning the base from $basegit"
	git clone -q --no-checkout "$basegit" "$TREE"
	cd "$TREE"
	git checkout -q -B fdbox base
	git remote remove origin
else
	log "copying base from $src"
	mkdir -p "$TREE"
	tar -C "$src" --exclude=.fdbox-extracted --exclude=.git -cf - . | tar -C "$TREE" -xf -

	export GIT_AUTHOR_NAME="FDBox base" GIT_AUTHOR_EMAIL="base@fdbox.invalid"
	export GIT_COMMITTER_NAME="FDBox base" GIT_COMMITTER_EMAIL="base@fdbox.invalid"
	export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	cd "$TREE"
	git init -q -b fdbox
	git config core.autocrlf false
	ver=$(make -s kernelversion 2>/dev/null || echo 7.3)
	log "committing base ($ver)"
	git add -A -f .
	git commit -q --no-verify -m "Linux $ver (Debian linux-source-7.3)"
	git tag -f base >/dev/null
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
	if [ -n "$basegit" ] && [ -s "$stampf" ]; then
		rm -rf "$basegit" "$basegit.tmp"
		git clone -q --bare "$TREE" "$basegit.tmp" &&
			echo "$key" >"$basegit.tmp/fdbox-source" &&
			mv "$basegit.tmp" "$basegit" || log "note: could not keep the base in $basegit"
	fi
fi
git config core.autocrlf false
git config user.name "FDBox Developers"
git config user.email "dev@fdbox.invalid"

n=0
if [ -f "$top/patches/series" ]; then
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$top/patches/$p" ] || die "series names $p but patches/$p is missing"
		if ! git am -q --keep-cr --committer-date-is-author-date "$top/patches/$p"; then
			git am --abort || true
			die "patches/$p does not apply on top of $(git log -1 --format='%h %s'); fix the patch or the series"
		fi
		n=$((n + 1))
	done <"$top/patches/series"
fi
log "tree ready at $TREE: base + $n patches"
