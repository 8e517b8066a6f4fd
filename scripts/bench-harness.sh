#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks the harness and prints the figures (targets on 2 cores:
# cold under 25 minutes, warm under 3 minutes).
#
#   cold  a clean clone of this repository, an empty build directory and an
#         empty ccache, through "./vmtest.sh test" to its summary line
#   warm  one edited line in kernel/bpf/verifier.c of the existing tree,
#         through rebuild, boot and a focused test (test_progs -t spinlock)
#
#   scripts/bench-harness.sh [cold] [warm]     (default: both)

set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
what=${*:-cold warm}

secs() { date +%s; }

bench_cold() {
	local dir
	dir=$(mktemp -d /tmp/vmtest-cold.XXXXXX)
	echo "bench: cold: cloning into $dir (log: $dir.log)"
	local t0
	t0=$(secs)
	git clone -q "$ROOT" "$dir/repo"
	if CCACHE_DIR=$dir/ccache "$dir/repo/vmtest.sh" test >"$dir.log" 2>&1; then :; fi
	local t1
	t1=$(secs)
	echo "bench: cold: $(tail -1 "$dir.log")"
	grep -E '^vmtest: .* took [0-9]+s$' "$dir.log" | sed 's/^vmtest: /bench: cold:   /'
	echo "bench: cold: clean clone to test summary: $((t1 - t0)) s (target < 1500 s)"
	rm -rf "$dir"
}

bench_warm() {
	local tree=$ROOT/build/linux f=kernel/bpf/verifier.c
	[ -d "$tree/.git" ] || { echo "bench: warm: no tree; run ./vmtest.sh test once first" >&2; return 1; }
	git -C "$tree" diff --quiet -- "$f" ||
		{ echo "bench: warm: $f has uncommitted changes; commit them first" >&2; return 1; }
	"$ROOT/vmtest.sh" build >/dev/null
	echo "bench: warm: editing one line of $f"
	sed -i '0,/^#include/s//\/* vmtest bench edit *\/\n&/' "$tree/$f"
	local t0 rc=0
	t0=$(secs)
	"$ROOT/vmtest.sh" build >/tmp/vmtest-warm.log 2>&1 &&
		"$ROOT/vmtest.sh" run -- ./test_progs -t spinlock >>/tmp/vmtest-warm.log 2>&1 || rc=$?
	local t1
	t1=$(secs)
	git -C "$tree" checkout -q -- "$f"
	grep -E 'took [0-9]+s$|^Summary' /tmp/vmtest-warm.log | sed 's/^vmtest: //; s/^/bench: warm:   /'
	echo "bench: warm: edit, rebuild, boot and test_progs -t spinlock: $((t1 - t0)) s (target < 180 s, exit $rc)"
	"$ROOT/vmtest.sh" build >/dev/null
}

for w in $what; do
	case $w in
	cold) bench_cold ;;
	warm) bench_warm ;;
	*) echo "usage: $0 [cold] [warm]" >&2; exit 2 ;;
	esac
done
