#!/usr/bin/env bash
# Write the tree's commits (base..HEAD) back to patches/ deterministically:
# stable file names, no version signature, no commit hash in the From line,
# zero-padded numbering; re-exporting an unchanged tree gives an empty diff.
# The series is posted as v2: patches/0000-cover-letter.patch is what
# 'git format-patch --cover-letter --base' writes, its subject and text taken
# from patches/cover-letter.txt (first line the subject, then a blank line and
# the text), dated like the last commit; the series file does not list it.
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
cover=$top/patches/cover-letter.txt
[ -f "$cover" ] || die "patches/cover-letter.txt missing (the cover letter's subject and text)"
branch=$(git -C "$TREE" symbolic-ref --short HEAD 2>/dev/null || echo HEAD)
git -C "$TREE" -c core.abbrev=12 -c diff.renames=true \
	-c "branch.$branch.description=$(cat "$cover")" format-patch -q \
	--no-signature --zero-commit --subject-prefix="PATCH v2" \
	--cover-letter --cover-from-description=subject --base=base \
	-o "$tmp" base..HEAD
date=$(git -C "$TREE" log -1 --format='%aD' HEAD)
sed -i "s/^Date: .*/Date: $date/" "$tmp/0000-cover-letter.patch"
mkdir -p "$top/patches"
rm -f "$top"/patches/*.patch
: >"$top/patches/series"
for p in "$tmp"/*.patch; do
	[ -f "$p" ] || continue
	cp "$p" "$top/patches/"
	case $p in */0000-cover-letter.patch) continue ;; esac
	basename "$p" >>"$top/patches/series"
done
echo "export: $(wc -l <"$top/patches/series") patches and a cover letter in patches/" >&2
git -C "$top" status --short -- patches
