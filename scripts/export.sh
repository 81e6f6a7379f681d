#!/usr/bin/env bash
# Write the tree's commits (base..HEAD) back to patches/ deterministically:
# stable file names, no version signature, no commit hash in the From line,
# zero-padded numbering; re-exporting an unchanged tree gives an empty diff.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$top/linux}
die() { echo "export: error: $*" >&2; exit 1; }
[ -d "$TREE/.git" ] || die "no tree at $TREE; run 'make tree'"
git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null || die "$TREE has no 'base' tag"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "uncommitted changes in $TREE; commit them (or --fixup + autosquash) first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$TREE" -c core.abbrev=12 -c diff.renames=true format-patch -q \
	--no-signature --zero-commit -o "$tmp" base..HEAD
mkdir -p "$top/patches"
rm -f "$top"/patches/*.patch
: >"$top/patches/series"
for p in "$tmp"/*.patch; do
	[ -f "$p" ] || continue
	cp "$p" "$top/patches/"
	basename "$p" >>"$top/patches/series"
done
echo "export: $(wc -l <"$top/patches/series") patches in patches/" >&2
git -C "$top" status --short -- patches
