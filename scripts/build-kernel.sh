#!/usr/bin/env bash
# Build the small test kernel out of tree: x86_64 tinyconfig + config/*.config.
# Incremental: the .config is only regenerated when a fragment changed.
#
# Usage: scripts/build-kernel.sh [make targets...]   (default: bzImage)
# Env:   KERNEL=debug builds the debug kernel (config/fdbox-debug.config on
#        top, in ./build/kernel-debug); TREE, KBUILD (default: ./build/kernel),
#        CONFIGS (fragment list), W (extra warnings level, e.g. 1), JOBS
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
TREE=${TREE:-$top/linux}
case ${KERNEL:-} in
debug)
	KBUILD=${KBUILD:-$top/build/kernel-debug}
	CONFIGS=${CONFIGS:-"$top/config/fdbox.config $top/config/fdbox-debug.config"} ;;
'')
	KBUILD=${KBUILD:-$top/build/kernel}
	CONFIGS=${CONFIGS:-$top/config/fdbox.config} ;;
*) echo "build-kernel: error: unknown KERNEL=$KERNEL (use KERNEL=debug)" >&2; exit 1 ;;
esac
JOBS=${JOBS:-$(nproc)}
die() { echo "build-kernel: error: $*" >&2; exit 1; }

[ -f "$TREE/Makefile" ] || die "no kernel tree at $TREE; run 'make tree' first"
for t in gcc make flex bison bc lz4; do
	command -v $t >/dev/null || die "missing '$t'; run scripts/deps.sh"
done
mkdir -p "$KBUILD"
KMAKE=(make -C "$TREE" O="$KBUILD" ARCH=x86_64 -j"$JOBS" -s)
# ccache (Debian's) under the workspace cache, unless NO_CCACHE=1, through
# PATH so that CC stays "gcc" with or without it. Preprocessor mode: a hit
# needs the same compiler, the same flags and the same preprocessed source
# (every header as it is now), so a stale object can not come back, not even
# when a new header would shadow an old one (direct mode's known blind spot).
# base_dir makes the hits independent of where the clone lives.
if [ -z "${NO_CCACHE:-}" ] && [ -x /usr/lib/ccache/gcc ]; then
	export PATH=/usr/lib/ccache:$PATH
	export CCACHE_DIR=${CCACHE_DIR:-${CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/fdbox}/ccache}
	export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=1 CCACHE_NODIRECT=1
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
fi

stamp=$KBUILD/.fdbox-config.sum
sum=$(cat $CONFIGS "$0" | sha256sum | cut -d' ' -f1)
# The fragments' settings, a later fragment overriding an earlier one.
settings() {
	cat $CONFIGS | grep '^CONFIG_' |
		awk -F= '{v[$1]=$0; if (!($1 in o)) o[$1]=n++} END {for (k in v) print o[k], v[k]}' |
		sort -n | cut -d' ' -f2-
}
# Configure when a fragment changed, and when a =y setting is not in .config:
# a symbol that a later patch of the series adds is picked up when it appears.
need=0
if [ ! -f "$KBUILD/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
	need=1
elif settings | grep -v '=n$' | grep -vxF -f "$KBUILD/.config" | grep -q .; then
	need=1
fi
if [ $need = 1 ]; then
	echo "build-kernel: configuring ($CONFIGS)" >&2
	"${KMAKE[@]}" tinyconfig >/dev/null
	KCONFIG_CONFIG=$KBUILD/.config "$TREE/scripts/kconfig/merge_config.sh" -m -O "$KBUILD" \
		"$KBUILD/.config" $CONFIGS >/dev/null
	"${KMAKE[@]}" olddefconfig >/dev/null
	# Every =y/=n line of the fragments must have survived (a typo or a
	# missing dependency would silently drop it); a later fragment
	# overrides an earlier one, as in merge_config.sh.
	bad=0
	while IFS= read -r l; do
		case "$l" in
		CONFIG_*=n) k=${l%%=*}; grep -q "^$k=" "$KBUILD/.config" && { echo "  $l is set" >&2; bad=1; } ;;
		CONFIG_*=*)
			grep -qxF "$l" "$KBUILD/.config" && continue
			k=${l%%=*}
			# Symbols the series adds do not exist in earlier patches.
			if ! grep -rqx --include='Kconfig*' "config ${k#CONFIG_}" "$TREE"; then
				echo "build-kernel: note: $k does not exist in this tree" >&2
				continue
			fi
			echo "  $l not set" >&2; bad=1 ;;
		esac
	done < <(settings)
	[ $bad = 0 ] || die "config fragment options were dropped (above); fix config/*.config"
	echo "$sum" >"$stamp"
fi
"${KMAKE[@]}" ${W:+W=$W} "${@:-bzImage}"
