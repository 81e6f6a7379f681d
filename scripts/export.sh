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
# Debian's top-level .gitignore ignores every new top-level path: new files
# must be added with "git add -f". Warn about source files left out.
left=$(git -C "$TREE" ls-files --others --ignored --exclude-standard -- \
	'*.c' '*.h' '*.rst' '*.sh' 'Kconfig*' 'Makefile*' | head -n 20)
[ -z "$left" ] || printf 'export: warning: untracked (ignored) files not in any patch:\n%s\n' "$left" >&2
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
