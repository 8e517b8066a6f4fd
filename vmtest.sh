#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh: the kptr series' harness.  Makes a kernel git tree from Debian's
# linux-source-6.1 with baseline/, series/ and followup/ applied, builds it
# with the focused BPF selftests, boots it in QEMU with the host's root file
# system shared read-only over 9p, and runs commands or the test suite inside.
#
# Run "./vmtest.sh help" for the commands.

set -eu
set -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- one place for every path and version ----------------------------------
BUILD=${VMTEST_BUILD:-$ROOT/build}	# everything generated; git-ignored
TREE=$BUILD/linux			# the kernel git tree
TARBALL=/usr/src/linux-source-6.1.tar.xz
SOURCE_PKG=linux-source-6.1
BASE_VERSION=$(cat "$ROOT/baseline/VERSION")	# Debian version baseline/ was made on
BASE_TAG=base				# pristine tarball
BASELINE_TAG=baseline			# + baseline/ patches: pre-kptr 6.1
CONFIGS=$ROOT/config
DENYLIST=$ROOT/tests/DENYLIST
JOBS=$(nproc)
GUEST_MEM=${VMTEST_MEM:-2G}
GUEST_CPUS=${VMTEST_CPUS:-2}
TIMEOUT=${VMTEST_TIMEOUT:-1800}		# seconds a guest may run
STALL=${VMTEST_STALL:-180}		# seconds a guest may go without output
# Fixed dates for the commits prepare makes, so that the tags name the same
# commits on every machine.
PRISTINE_DATE="2024-01-01T00:00:00Z"

# Debian packages the harness needs, with a command each provides.
PACKAGES="gcc:gcc make:make flex:flex bison:bison bc:bc libelf-dev:/usr/include/libelf.h
libssl-dev:/usr/include/openssl/ssl.h zlib1g-dev:/usr/include/zlib.h pahole:pahole
clang-16:clang-16 llvm-16:llc-16 lld-16:ld.lld-16 qemu-system-x86:qemu-system-x86_64
busybox-static:busybox cpio:cpio ccache:ccache xz-utils:xz rsync:rsync
python3:python3 python3-ply:/usr/lib/python3/dist-packages/ply python3-git:/usr/lib/python3/dist-packages/git iproute2:ip kmod:depmod git:git $SOURCE_PKG:$TARBALL"

say() { printf 'vmtest: %s\n' "$*"; }
die() { printf 'vmtest: error: %s\n' "$*" >&2; exit 1; }
stamp() { date +%s; }
took() { say "$1 took $(( $(stamp) - $2 ))s"; }

usage() {
	cat <<EOF
usage: ./vmtest.sh COMMAND [OPTIONS]

  deps                  install the Debian packages the harness needs
  prepare [--force]     make build/linux: pristine $SOURCE_PKG (tag $BASE_TAG),
                        baseline/ (tag $BASELINE_TAG), then series/ and
                        followup/ with git am
  export [--base N]     write the tree's commits after $BASELINE_TAG to series/
                        (the first N, default: as many as it has) and
                        the rest to followup/
  build [--config F]... build the kernel and the selftests (F: extra fragment
                        in config/, e.g. --config kasan)
  run [OPTS] -- CMD...  boot the kernel and run CMD in the guest
                        --dir DIR       directory shared read-write and the
                                        command's cwd (default: the selftests)
                        --timeout S     give up after S seconds ($TIMEOUT)
                                        (and after $STALL s without output or
                                        a file written: VMTEST_STALL;
                                        1500 s with --config)
                        --qemu-opts "O" extra QEMU options, e.g.
                                        "-icount shift=0,sleep=off"
                        --config F      use the kernel built with fragment F
  test [--no-build] [--config F] [RUNNER...]
                        build, boot and run the suite; prints
                        "N passed, N failed, N skipped".  Runners:
                        test_verifier test_progs conformance (upstream's
                        kptr selftests) fuzz_verifier fuzz_btf
  demo                  build, boot and show the feature working
  bench                 the series against upstream's kptr code (tag base):
                        both kernels, one benchmark, guest instructions
                        per operation (QEMU -icount), side by side
  shell                 an interactive shell in the guest
  baseline-check        build the $BASELINE_TAG tree alone and prove that it
                        has no kptr support
  help                  this text

Builds, logs and the tree live under ${BUILD#$ROOT/}/.  A developer edits
build/linux, commits with git, and runs "./vmtest.sh export".
EOF
}

# --- packages ---------------------------------------------------------------

missing_packages() {
	local p pkg probe
	for p in $PACKAGES; do
		pkg=${p%%:*}
		probe=${p#*:}
		case $probe in
		/*) [ -e "$probe" ] || echo "$pkg" ;;
		*) command -v "$probe" >/dev/null 2>&1 || echo "$pkg" ;;
		esac
	done
}

cmd_deps() {
	local missing
	missing=$(missing_packages | tr '\n' ' ')
	[ -z "${missing// /}" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing Debian packages: $missing
run as root: apt-get update && apt-get install -y --no-install-recommends $missing"
	fi
	say "installing Debian packages: $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >"$BUILD/apt.log" 2>&1 ||
		die "apt-get update failed, see $BUILD/apt.log"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >>"$BUILD/apt.log" 2>&1 ||
		die "apt-get install $missing failed, see $BUILD/apt.log"
	missing=$(missing_packages | tr '\n' ' ')
	[ -z "${missing// /}" ] || die "still missing after apt-get install: $missing"
}

# --- the tree -----------------------------------------------------------------

installed_version() {
	dpkg-query -W -f '${Version}' "$SOURCE_PKG" 2>/dev/null || echo unknown
}

# git am, one patch at a time, so that a patch that does not apply is named
# with the hunk that failed.
apply_patches() {
	local what=$1 p
	shift
	[ $# -gt 0 ] || return 0
	say "applying $# $what patch(es)"
	for p in "$@"; do
		git -C "$TREE" am -q --committer-date-is-author-date "$p" >"$BUILD/am.log" 2>&1 && continue
		git -C "$TREE" am --abort >/dev/null 2>&1 || true
		git -C "$TREE" apply --check --verbose "$p" 2>&1 | grep -v '^Checking patch' >&2 || true
		die "$what patch ${p#$ROOT/} does not apply to $SOURCE_PKG $(installed_version): the failing hunk is shown above"
	done
}

# The patches of baseline/, series/ or followup/ in order, without the
# cover letter.
patch_files() {
	local p
	for p in "$ROOT/$1"/*.patch; do
		[ -e "$p" ] || continue
		case ${p##*/} in 0000-*) continue ;; esac
		echo "$p"
	done
}

cmd_prepare() {
	local force=0 have
	[ "${1:-}" = --force ] && force=1
	if [ -d "$TREE/.git" ]; then
		[ $force = 1 ] ||
			die "$TREE exists; run \"./vmtest.sh export\" to keep your commits, then \"./vmtest.sh prepare --force\""
		say "removing the old tree $TREE"
		rm -rf "$TREE"
	fi
	cmd_deps
	have=$(installed_version)
	if [ "$have" != "$BASE_VERSION" ]; then
		say "note: baseline/ was made on $SOURCE_PKG $BASE_VERSION, this machine has $have; going on"
	fi
	local t0
	t0=$(stamp)
	say "unpacking $TARBALL"
	mkdir -p "$BUILD"
	rm -rf "$BUILD/unpack"
	mkdir "$BUILD/unpack"
	tar -xf "$TARBALL" -C "$BUILD/unpack"
	mv "$BUILD/unpack"/linux-source-6.1 "$TREE"
	rmdir "$BUILD/unpack"
	say "committing the pristine tree"
	(
		cd "$TREE"
		git init -q -b master
		# Debian's .gitignore ignores the whole top level: add everything.
		git add -f -A .
		GIT_AUTHOR_DATE=$PRISTINE_DATE GIT_COMMITTER_DATE=$PRISTINE_DATE \
			git commit -q -m "Debian $SOURCE_PKG $have, pristine"
		git tag -f "$BASE_TAG" >/dev/null
	)
	apply_patches baseline $(patch_files baseline)
	git -C "$TREE" tag -f "$BASELINE_TAG" >/dev/null
	apply_patches series $(patch_files series)
	apply_patches followup $(patch_files followup)
	took prepare "$t0"
	say "tree ready: $TREE ($(patch_files series | wc -l) series + $(patch_files followup | wc -l) follow-up commit(s) on $BASELINE_TAG)"
}

need_tree() {
	[ -d "$TREE/.git" ] || cmd_prepare
}

# Writes commits $2..$3 of the tree to directory $1 as format-patch output
# with a cover letter, keeping the subject and blurb of the cover letter
# that was there.
export_part() {
	local dir=$1 from=$2 to=$3 n cover subject blurb
	n=$(git -C "$TREE" rev-list --count "$from".."$to")
	cover=$(ls "$ROOT/$dir"/0000-*.patch 2>/dev/null | head -1 || true)
	if [ -n "$cover" ]; then
		subject=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$cover" | head -1)
		blurb=$(awk '/^$/ && !body { body = 1; next }
			     body && /^[A-Za-z0-9 ._-]+ \([0-9]+\):$/ { exit }
			     body { print }' "$cover")
	fi
	rm -f "$ROOT/$dir"/*.patch
	[ "$n" -gt 0 ] || { rmdir "$ROOT/$dir" 2>/dev/null || true; return 0; }
	mkdir -p "$ROOT/$dir"
	git -C "$TREE" format-patch -q --zero-commit --cover-letter --no-signature \
		-o "$ROOT/$dir" "$from".."$to"
	cover=$(ls "$ROOT/$dir"/0000-*.patch)
	if [ -n "${subject:-}" ]; then
		SUBJECT=$subject BLURB=$blurb awk '
			/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, ENVIRON["SUBJECT"]) }
			/^\*\*\* BLURB HERE \*\*\*$/ { printf("%s\n", ENVIRON["BLURB"]); skip = 1; next }
			skip && /^$/ { skip = 0 }
			{ print }' "$cover" >"$cover.new"
		mv "$cover.new" "$cover"
	else
		say "note: write the cover letter in $cover (subject and blurb); export keeps them"
	fi
	say "exported $n patch(es) to $dir/"
}

# The series is two: series/, the base (upstream 6.1's kptrs, made safe),
# and followup/, what goes beyond 6.1.  The first N commits after the
# baseline go to series/, N being the number of patches series/ has now
# (--base N moves the line), the rest to followup/.
cmd_export() {
	[ -d "$TREE/.git" ] || die "no tree at $TREE; run \"./vmtest.sh prepare\" first"
	git -C "$TREE" diff --quiet HEAD ||
		die "$TREE has uncommitted changes; commit them first"
	local n base split
	base=$(patch_files series | wc -l)
	if [ "${1:-}" = --base ]; then
		base=${2:?--base needs a number of patches}
	fi
	n=$(git -C "$TREE" rev-list --count "$BASELINE_TAG"..HEAD)
	[ "$n" -gt 0 ] || die "no commits after $BASELINE_TAG: nothing to export"
	[ "$base" -gt 0 ] && [ "$base" -le "$n" ] || base=$n
	split=$(git -C "$TREE" rev-list --reverse "$BASELINE_TAG"..HEAD | sed -n "${base}p")
	export_part series "$BASELINE_TAG" "$split"
	export_part followup "$split" HEAD
	ls "$ROOT/series" "$ROOT/followup" 2>/dev/null || true
}

# --- build ---------------------------------------------------------------------

# The build directory for a set of extra config fragments.
objdir() {
	local name=obj f
	for f in "$@"; do name=$name-$f; done
	echo "$BUILD/$name"
}

# build_progress LOG TOTAL: every 30 s, how many objects the kernel build
# has compiled, against TOTAL, the count of a full build.
build_progress() {
	local log=$1 total=$2 n
	while sleep 30; do
		n=$(grep -c '^  CC ' "$log" 2>/dev/null || true)
		say "kernel build: ${n:-0} objects compiled (a full build has about $total)"
	done
}

check_clang_keeps_tags() {
	local clang=$1 out=$BUILD/clang-tag-check
	[ -e "$out.ok" ] && [ "$(cat "$out.ok")" = "$clang" ] && return 0
	mkdir -p "$out"
	cat >"$out/t.c" <<'EOF'
struct task_struct;
struct v { struct task_struct __attribute__((btf_type_tag("kptr"))) *t; };
struct v g;
EOF
	"$clang" -g -O2 -target bpf -c "$out/t.c" -o "$out/t.o" ||
		die "$clang cannot compile a BPF object"
	if ! "$2" btf dump file "$out/t.o" | grep -q "TYPE_TAG 'kptr'"; then
		die "$clang drops btf_type_tag from BTF, so __kptr would vanish from map values.
Use Debian's clang-16 or clang-19 (apt-get install clang-16 llvm-16 lld-16)"
	fi
	echo "$clang" >"$out.ok"
}

pick_clang() {
	local c
	for c in ${VMTEST_CLANG:-clang-16 clang-19}; do
		command -v "$c" >/dev/null 2>&1 && { echo "$c"; return; }
	done
	die "no clang-16 or clang-19; run ./vmtest.sh deps"
}

build_kernel() {
	local kobj=$1 frag
	shift
	mkdir -p "$kobj"
	local frags=("$CONFIGS/vmtest.config")
	for frag in "$@"; do
		[ -f "$CONFIGS/$frag.config" ] ||
			die "no config fragment config/$frag.config (have: $(cd "$CONFIGS" && ls *.config | sed 's/\.config//' | tr '\n' ' '))"
		frags+=("$CONFIGS/$frag.config")
	done
	# Regenerate .config only when a fragment changed.
	local sum
	sum=$(cat "${frags[@]}" | md5sum | cut -d' ' -f1)
	if [ "$(cat "$kobj/.fragments.md5" 2>/dev/null)" != "$sum" ]; then
		say "configuring the kernel: tinyconfig + ${frags[*]##*/}"
		make -s -C "$TREE" O="$kobj" tinyconfig >/dev/null
		"$TREE"/scripts/kconfig/merge_config.sh -m -O "$kobj" "$kobj/.config" "${frags[@]}" >"$kobj/merge.log" 2>&1
		make -s -C "$TREE" O="$kobj" olddefconfig >>"$kobj/merge.log" 2>&1
		local line bad=""
		while read -r line; do
			grep -qxF "$line" "$kobj/.config" || bad="$bad
  $line"
		done < <(grep -hE '^CONFIG_[A-Z0-9_]+=|^# CONFIG_[A-Z0-9_]+ is not set' "${frags[@]}")
		[ -z "$bad" ] || die "these fragment options did not take effect (a dependency is missing):$bad"
		echo "$sum" >"$kobj/.fragments.md5"
	fi
	say "building the kernel in $kobj (log: $kobj/build.log)"
	local t0 progress
	t0=$(stamp)
	export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
	: >"$kobj/build.log"
	build_progress "$kobj/build.log" "$(cat "$kobj/.objects" 2>/dev/null || echo 1900)" &
	progress=$!
	# Without pahole -j: its threads encode BTF in whatever order they
	# finish, so a type's position in vmlinux BTF, which every search by
	# name pays for (a kptr's pointee at map creation, for one), would
	# differ from build to build.
	local pahole_flags
	pahole_flags=$(PAHOLE=pahole "$TREE/scripts/pahole-flags.sh" | sed 's/ -j\b//; s/^-j //')
	if ! make -C "$TREE" O="$kobj" CC="ccache gcc" -j"$JOBS" \
		PAHOLE_FLAGS="$pahole_flags" bzImage >"$kobj/build.log" 2>&1; then
		kill "$progress" 2>/dev/null || true
		grep -E 'error|Error' "$kobj/build.log" | head -20 >&2
		die "kernel build failed, see $kobj/build.log"
	fi
	kill "$progress" 2>/dev/null || true
	wait "$progress" 2>/dev/null || true
	# a full build's object count, the next cold build's estimate
	local n
	n=$(grep -c '^  CC ' "$kobj/build.log" || true)
	[ "$n" -gt "$(cat "$kobj/.objects" 2>/dev/null || echo 0)" ] && echo "$n" >"$kobj/.objects"
	if grep -E '(warning|error):' "$kobj/build.log" >&2; then
		die "the kernel build printed the warnings above, see $kobj/build.log"
	fi
	took "kernel build" "$t0"
}

build_selftests() {
	local kobj=$1 stobj=$2 clang t0
	clang=$(pick_clang)
	t0=$(stamp)
	say "building libbpf and bpftool (log: $stobj.log)"
	mkdir -p "$stobj"
	local mk=(make -f "$ROOT/tests/Makefile" SRC="$TREE" KOBJ="$kobj" O="$stobj"
		  CLANG="$clang" -j"$JOBS")
	"${mk[@]}" tools >"$stobj.log" 2>&1 || { tail -20 "$stobj.log" >&2; die "libbpf/bpftool build failed, see $stobj.log"; }
	check_clang_keeps_tags "$clang" "$stobj/bpftool/bootstrap/bpftool"
	say "building the selftests with $clang"
	"${mk[@]}" all >>"$stobj.log" 2>&1 || { grep -E 'error|Error' "$stobj.log" | head -20 >&2; die "selftests build failed, see $stobj.log"; }
	took "selftests build" "$t0"
}

# tag_worktree DIR TAG: DIR is a checkout of the tree at TAG, a worktree of
# build/linux made on first use.
tag_worktree() {
	local wt=$1 tag=$2
	if [ ! -d "$wt" ]; then
		say "checking out the $tag tree in $wt"
		mkdir -p "$(dirname "$wt")"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -f --detach "$wt" "$tag" >"$wt.log" 2>&1 || {
			tail -5 "$wt.log" >&2
			die "cannot check out the $tag tree in $wt (log: $wt.log)"
		}
	else
		git -C "$wt" checkout -q --detach "$tag" ||
			die "cannot check out $tag in $wt"
	fi
}

# Upstream 6.1's own kptr selftests (tests/conformance.list and
# verifier/map_kptr.c), built from the pristine tree (tag base) against the
# kernel's BTF, for the conformance runners.
build_conformance() {
	local kobj=$1 wt=$BUILD/base/linux out=$BUILD/conformance t0
	t0=$(stamp)
	tag_worktree "$wt" "$BASE_TAG"
	say "building upstream's kptr selftests from the $BASE_TAG tree (log: $out.log)"
	mkdir -p "$out"
	make -f "$ROOT/tests/Makefile" SRC="$wt" KOBJ="$kobj" O="$out" \
		CLANG="$(pick_clang)" -j"$JOBS" \
		TEST_LIST="$ROOT/tests/conformance.list" VERIFIER_CASES=map_kptr \
		TEST_CFLAGS="-include $ROOT/tests/conformance.h -Wno-unused-function" \
		tools "$out/test_progs" "$out/test_verifier" >"$out.log" 2>&1 || {
		grep -E 'error|Error' "$out.log" | head -20 >&2
		die "building upstream's kptr selftests failed, see $out.log"
	}
	took "conformance build" "$t0"
}

# bpf_testmod.ko for the kernel in KOBJ (test_progs loads it from its
# directory; tests of kptrs to module types use it), built in
# KOBJ/bpf_testmod from the tree's selftests source.
build_testmod() {
	local kobj=$1 md=$1/bpf_testmod
	say "building bpf_testmod.ko (log: $md.log)"
	mkdir -p "$md/src"
	rsync -a --delete "$TREE/tools/testing/selftests/bpf/bpf_testmod/" "$md/src/"
	{ make -C "$TREE" O="$kobj" CC="ccache gcc" -j"$JOBS" modules_prepare &&
	  make -C "$TREE" O="$kobj" CC="ccache gcc" -j"$JOBS" M="$md/src" modules; } \
		>"$md.log" 2>&1 || die "bpf_testmod.ko build failed, see $md.log"
}

# The module must match the kernel that boots: put KOBJ's next to the
# selftests (another image, VMTEST_KERNEL, gets what is there).  Kernels of
# other configs refuse it by its version string (kasan.config).
place_testmod() {
	local ko=$1/bpf_testmod/src/bpf_testmod.ko dst=$BUILD/selftests/bpf_testmod.ko
	[ -z "${VMTEST_KERNEL:-}" ] && [ -f "$ko" ] && [ -d "$BUILD/selftests" ] || return 0
	cmp -s "$ko" "$dst" || cp "$ko" "$dst"
}

CONFIG_FRAGS=()
cmd_build() {
	need_tree
	cmd_deps
	build_kernel "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})" ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"}
	build_testmod "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})"
	build_selftests "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})" "$BUILD/selftests"
}

# --- run ------------------------------------------------------------------------

# KVM is used only when a short probe boots the kernel under it: /dev/kvm
# may exist and still fail to run a guest, as on these machines.
kvm_works() {
	local kernel=$1
	[ -w /dev/kvm ] || return 1
	# In a subshell, so that bash's "Aborted" report of a crashing QEMU
	# stays quiet too.
	( timeout -k 5 30 qemu-system-x86_64 -accel kvm -cpu host -m 256M -display none \
		-nodefaults -no-reboot -serial none -monitor none -kernel "$kernel" \
		-append "panic=-1 root=/dev/nonexistent" </dev/null >/dev/null 2>&1
	  rc=$?; exit $rc ) 2>/dev/null
}

# boot KOBJ DIR TIMEOUT INTERACTIVE QEMU_OPTS CMD...
boot() {
	local kobj=$1 dir=$2 tmo=$3 interactive=$4 qopts=$5
	shift 5
	# VMTEST_KERNEL boots another image (an older build, to compare)
	local kernel=${VMTEST_KERNEL:-$kobj/arch/x86/boot/bzImage}
	[ -f "$kernel" ] || die "no kernel at $kernel; run \"./vmtest.sh build\" first"
	[ -d "$dir" ] || die "no directory $dir to share with the guest"
	dir=$(cd "$dir" && pwd)
	local io
	io=$BUILD/vm/$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$io"
	ln -sfn "$io" "$BUILD/vm/last"
	# One argument is a shell command line; several are one command and
	# its arguments, quoted so that "sh -c 'a b'" keeps its string whole.
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1" >"$io/cmd.sh"
	else
		printf '%q ' "$@" >"$io/cmd.sh"
		printf '\n' >>"$io/cmd.sh"
	fi
	local accel="-accel tcg,thread=multi"
	case " $qopts " in
	# icount counts one instruction stream: single-threaded TCG, no KVM
	*" -icount "*) accel="-accel tcg,thread=single -cpu max" ;;
	*) if kvm_works "$kernel"; then accel="-accel kvm -cpu host"; else accel="$accel -cpu max"; fi ;;
	esac
	local append="console=ttyS0 root=hostroot rootfstype=9p"
	# pci=noacpi: PCI interrupts routed from the MP table, not by running
	# ACPI's _PRT method.  Under TCG a slow (KASAN) kernel interprets AML
	# so slowly that the interpreter's 30 s loop limit aborts _PRT
	# (AE_AML_LOOP_TIMEOUT); the virtio devices then get no interrupts and
	# the 9p root never mounts.  ACPI itself stays on for "reboot -f".
	append="$append pci=noacpi"
	append="$append rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=none"
	append="$append ro init=$ROOT/scripts/guest-init.sh panic=-1"
	append="$append loglevel=4"
	append="$append vmtest_repo=$ROOT vmtest_io=$io vmtest_share=$dir"
	# A fragment may need boot parameters too (config/NAME.cmdline)
	local frag
	for frag in ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"}; do
		[ -f "$CONFIGS/$frag.cmdline" ] &&
			append="$append $(grep -v '^#' "$CONFIGS/$frag.cmdline" | tr '\n' ' ')"
	done
	append="$append vmtest_interactive=$interactive"
	local p9=security_model=none,multidevs=remap
	# shellcheck disable=SC2086
	local qemu=(qemu-system-x86_64 $accel -smp "$GUEST_CPUS" -m "$GUEST_MEM"
		-kernel "$kernel" -append "$append" -nographic -no-reboot
		-nodefaults -serial mon:stdio
		-virtfs "local,path=/,mount_tag=hostroot,readonly=on,$p9"
		-virtfs "local,path=$ROOT,mount_tag=repo,readonly=on,$p9"
		-virtfs "local,path=$io,mount_tag=vmio,$p9"
		-virtfs "local,path=$dir,mount_tag=share,$p9"
		-pidfile "$io/qemu.pid"
		$qopts)
	echo "${qemu[*]}" >"$io/qemu.cmd"
	place_testmod "$kobj"
	say "booting $kernel (${accel%% *} ${accel#* }, $GUEST_CPUS CPUs, $GUEST_MEM); console log: $io/console.log"
	local rc=0
	if [ "$interactive" = 1 ]; then
		"${qemu[@]}" || rc=$?
		return 0
	fi
	say "running command: $*"
	: >"$io/console.log"
	watch_progress "$io" "$dir" &
	local watcher=$!
	# in a subshell whose stderr is dropped, so that bash's "Killed" report
	# of a QEMU that the watcher ended stays quiet
	( timeout -k 10 "$tmo" "${qemu[@]}" </dev/null 2>&1 | tee "$io/console.log" ) 2>/dev/null || rc=$?
	kill "$watcher" 2>/dev/null || true
	wait "$watcher" 2>/dev/null || true
	if [ -f "$io/stalled" ]; then
		say "$(cat "$io/stalled")"
		say "console log: $io/console.log"
		return 126
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		say "guest timed out after ${tmo}s; console log: $io/console.log"
		return 124
	fi
	if [ ! -f "$io/status" ]; then
		say "the guest ended without finishing the command (crash or panic?); console log: $io/console.log"
		return 125
	fi
	VM_IO=$io
	return "$(cat "$io/status")"
}

# watch_progress IO DIR: ends a guest that has stopped making progress.
# Progress is console output, or a file written in the run's directory or
# in DIR/results, where the suite's runners write; other files of DIR may
# be written by the host.  After $STALL seconds without either, it names
# the last console line in IO/stalled and kills QEMU.
watch_progress() {
	local io=$1 dir=$2 size last=-1 idle=0 poll=10 line stall=$STALL
	# A KASAN kernel runs the tests several times slower, and test_progs
	# writes a test's output only once the test ends (kptr_ref: 4 min on
	# one machine, 10 min on a slower one)
	if [ -z "${VMTEST_STALL:-}" ] && [ ${#CONFIG_FRAGS[@]} -gt 0 ]; then
		stall=1500
	fi
	touch "$io/.progress"
	while sleep "$poll"; do
		size=$(stat -c %s "$io/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ] ||
		   [ -n "$(find "$io" "$dir/results" -newer "$io/.progress" -type f \
				! -name console.log -print -quit 2>/dev/null)" ]; then
			last=$size
			idle=0
			touch "$io/.progress"
			continue
		fi
		idle=$((idle + poll))
		[ "$idle" -ge "$stall" ] || continue
		line=$(tr -d '\r' <"$io/console.log" |
			sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' |
			grep -v '^[[:space:]]*$' | tail -n 1 || true)
		echo "the guest made no progress for ${idle}s (no console output, no file written); last console line: ${line:-(none)}" >"$io/stalled"
		[ -s "$io/qemu.pid" ] && kill -KILL "$(cat "$io/qemu.pid")" 2>/dev/null || true
		return 0
	done
}

# Scans the guest's kernel log for reports that fail a run.
console_problems() {
	local io=$1
	cat "$io/dmesg" "$io/console.log" 2>/dev/null | grep -E \
		'BUG:|WARNING:|Oops|Kernel panic|general protection fault|KASAN|suspected memory leak|kmemleak: leaks found|unreferenced object|UBSAN|possible circular locking|possible recursive locking|possible irq lock inversion|inconsistent lock state|bad unlock balance|held lock freed|lockdep is turned off|suspicious RCU usage|INFO: task .* blocked|detected stall|Call Trace:' |
		sort -u || true
}

RUN_DIR=
RUN_QEMU_OPTS=
RUN_TIMEOUT=
parse_run_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) RUN_DIR=$2; shift 2 ;;
		--timeout) RUN_TIMEOUT=$2; shift 2 ;;
		--qemu-opts) RUN_QEMU_OPTS=$2; shift 2 ;;
		--config) CONFIG_FRAGS+=("$2"); shift 2 ;;
		--) shift; break ;;
		-*) die "unknown option $1 (see ./vmtest.sh help)" ;;
		*) break ;;
		esac
	done
	REST=("$@")
}

cmd_run() {
	parse_run_opts "$@"
	[ ${#REST[@]} -gt 0 ] || die "no command to run: ./vmtest.sh run -- CMD..."
	local rc=0
	boot "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})" "${RUN_DIR:-$BUILD/selftests}" \
		"${RUN_TIMEOUT:-$TIMEOUT}" 0 "$RUN_QEMU_OPTS" "${REST[@]}" || rc=$?
	if [ -n "${VM_IO:-}" ]; then
		local problems
		problems=$(console_problems "$VM_IO")
		if [ -n "$problems" ]; then
			printf '%s\n' "$problems" >&2
			say "the kernel reported the problems above; console log: $VM_IO/console.log, dmesg: $VM_IO/dmesg"
			[ $rc = 0 ] && rc=1
		fi
	fi
	say "guest command exit status: $rc"
	return $rc
}

cmd_shell() {
	parse_run_opts "$@"
	boot "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})" "${RUN_DIR:-$BUILD/selftests}" 0 1 "$RUN_QEMU_OPTS" true
}

# --- the suite --------------------------------------------------------------------

# summarize IO STOBJ RUNNERS: prints the counts and the closing line, returns
# non-zero when anything failed.
summarize() {
	local io=$1 stobj=$2
	shift 2
	local logs=() r counts passed failed skipped
	for r in "$@"; do logs+=("$stobj/results/$r.log"); done
	cat "$DENYLIST" "$ROOT/tests/CONFORMANCE" >"$io/deny.txt"
	counts=$(awk -f "$ROOT/scripts/summarize.awk" "$io/deny.txt" "${logs[@]}" | tee "$io/summary.txt" | tail -1)
	head -n -1 "$io/summary.txt" | grep -v '^runner-failures ' || true
	read -r passed failed skipped <<<"$counts"
	# A runner that died, or exited non-zero without reporting a failing
	# test (denied ones included), fails.
	for r in "$@"; do
		local rc seen
		rc=$(cat "$stobj/results/$r.rc" 2>/dev/null || echo missing)
		seen=$(sed -n "s/^runner-failures $r //p" "$io/summary.txt")
		if [ "$rc" = missing ]; then
			say "FAIL $r did not run"; failed=$((failed + 1))
		elif [ "$rc" != 0 ] && [ "${seen:-0}" = 0 ]; then
			say "FAIL $r exited with status $rc without reporting a failing test"
			failed=$((failed + 1))
		fi
		[ -s "$stobj/results/$r.log" ] && tail -n 1 "$stobj/results/$r.log" | sed "s/^/  $r: /"
	done
	# The kernel's own reports count as one more test.
	local problems
	problems=$(console_problems "$io")
	if [ -n "$problems" ]; then
		printf '%s\n' "$problems" | sed 's/^/  console: /'
		say "FAIL kernel console: the kernel reported problems; console log: $io/console.log, dmesg: $io/dmesg"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
	echo "results: $stobj/results, console log: $io/console.log"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}

cmd_test() {
	local build=1 runners=()
	while [ $# -gt 0 ]; do
		case $1 in
		--no-build) build=0; shift ;;
		--config) CONFIG_FRAGS+=("$2"); shift 2 ;;
		-*) die "unknown option $1 (see ./vmtest.sh help)" ;;
		# both halves of upstream's kptr selftests
		conformance) runners+=(conformance_progs conformance_verifier); shift ;;
		*) runners+=("$1"); shift ;;
		esac
	done
	[ $build = 1 ] && cmd_build
	[ ${#runners[@]} -gt 0 ] || runners=($(default_runners))
	if [ $build = 1 ] && [[ " ${runners[*]} " == *" conformance_"* ]]; then
		build_conformance "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})"
	fi
	# the deny list and the list of differences from upstream, together
	cat "$DENYLIST" "$ROOT/tests/CONFORMANCE" >"$BUILD/deny.txt"
	local stobj=$BUILD/selftests rc=0 t0
	t0=$(stamp)
	rm -rf "$stobj/results"
	VM_IO=
	# The fuzzers' arguments (a seed, a count) reach the guest's suite.
	local fuzzenv="" v
	for v in FUZZ_VERIFIER_ARGS FUZZ_BTF_ARGS; do
		[ -n "${!v:-}" ] && fuzzenv="$fuzzenv $v=$(printf %q "${!v}")"
	done
	boot "$(objdir ${CONFIG_FRAGS[@]+"${CONFIG_FRAGS[@]}"})" "$stobj" "$TIMEOUT" 0 "" \
		"${fuzzenv# } CONFORMANCE_DIR=$BUILD/conformance sh $ROOT/tests/run-suite.sh $BUILD/deny.txt ${runners[*]}" || rc=$?
	took "suite run" "$t0"
	if [ -z "$VM_IO" ]; then
		echo "0 passed, 1 failed"
		return 1
	fi
	summarize "$VM_IO" "$stobj" "${runners[@]}"
}

# The baseline check belongs to the suite only while the tree is the
# baseline: once the series adds kptrs it is expected to fail there, and
# "./vmtest.sh baseline-check" runs it on a baseline build instead.
default_runners() {
	if [ "$(git -C "$TREE" rev-parse HEAD)" = "$(git -C "$TREE" rev-parse "$BASELINE_TAG")" ]; then
		echo test_verifier test_progs kptr_baseline
	else
		echo test_verifier test_progs conformance_progs conformance_verifier fuzz_verifier fuzz_btf
	fi
}

cmd_baseline_check() {
	need_tree
	cmd_deps
	# The same layout as build/linux and build/obj one level down, so that
	# ccache (base dir $BUILD) sees the same relative paths and reuses the
	# objects of every file the series does not touch.
	local wt=$BUILD/baseline/linux kobj=$BUILD/baseline/obj stobj=$BUILD/baseline/selftests
	tag_worktree "$wt" "$BASELINE_TAG"
	local TREE=$wt
	build_kernel "$kobj"
	mkdir -p "$stobj"
	make -f "$ROOT/tests/Makefile" SRC="$wt" KOBJ="$kobj" O="$stobj" CLANG="$(pick_clang)" \
		-j"$JOBS" "$stobj/kptr_baseline" "$stobj/kptr_baseline.bpf.o" >"$stobj.log" 2>&1 ||
		die "building the baseline check failed, see $stobj.log"
	rm -rf "$stobj/results"
	VM_IO=
	boot "$kobj" "$stobj" "$TIMEOUT" 0 "" "sh $ROOT/tests/run-suite.sh $DENYLIST kptr_baseline" || true
	[ -n "$VM_IO" ] || { echo "0 passed, 1 failed"; return 1; }
	summarize "$VM_IO" "$stobj" kptr_baseline
}

cmd_demo() {
	cmd_build
	local rc=0
	boot "$(objdir)" "$BUILD/selftests" "$TIMEOUT" 0 "" "sh $ROOT/demo/demo.sh" || rc=$?
	[ -n "${VM_IO:-}" ] && [ -n "$(console_problems "$VM_IO")" ] && {
		console_problems "$VM_IO" >&2
		die "the kernel reported the problems above; console log: $VM_IO/console.log"
	}
	return $rc
}

# --- the benchmark ---------------------------------------------------------------

# The series against upstream's implementation: both kernels (the series'
# build/obj, the one the suite boots, and tag base's build/base/obj, with
# the same config) run the same
# tests/bench_kptr under "-icount shift=0,sleep=off", where a nanosecond
# of guest time is one guest instruction; one CPU, so that no other CPU's
# instructions run in between.  Prints the figures side by side.
BENCH_QEMU_OPTS="-icount shift=0,sleep=off"
cmd_bench() {
	need_tree
	cmd_deps
	local t0 out=$BUILD/bench kobj base_kobj=$BUILD/base/obj k
	t0=$(stamp)
	kobj=$(objdir)
	say "bench: the series' kernel"
	build_kernel "$kobj"
	say "bench: upstream's kernel (tag $BASE_TAG)"
	build_base_kernel "$base_kobj"
	say "bench: building tests/bench_kptr (log: $out.log)"
	mkdir -p "$out"
	make -f "$ROOT/tests/Makefile" SRC="$TREE" KOBJ="$kobj" O="$out" \
		CLANG="$(pick_clang)" -j"$JOBS" tools bench >"$out.log" 2>&1 || {
		grep -E 'error|Error' "$out.log" | head -20 >&2
		die "building the bench failed, see $out.log"
	}
	rm -rf "$out/results"
	mkdir -p "$out/results"
	local GUEST_CPUS=1
	for k in upstream series; do
		local kdir=$kobj
		[ $k = upstream ] && kdir=$base_kobj
		say "bench: running on the $k kernel"
		VM_IO=
		boot "$kdir" "$out" "$TIMEOUT" 0 "$BENCH_QEMU_OPTS" \
			"./bench_kptr -o results/$k.txt ./bench_kptr.bpf.o && cat results/$k.txt" ||
			die "the bench failed on the $k kernel${VM_IO:+; console log: $VM_IO/console.log}"
		if [ -n "$(console_problems "$VM_IO")" ]; then
			console_problems "$VM_IO" >&2
			die "the $k kernel reported the problems above; console log: $VM_IO/console.log"
		fi
	done
	awk -F'|' -f "$ROOT/scripts/bench-table.awk" \
		"$out/results/upstream.txt" "$out/results/series.txt" | tee "$out/table.txt"
	took "bench" "$t0"
}

# upstream's kernel from the pristine tree, with the series' config, laid
# out as build/linux and build/obj one level down so that ccache (base dir
# $BUILD) reuses every object the series does not change
build_base_kernel() {
	local TREE=$BUILD/base/linux
	tag_worktree "$TREE" "$BASE_TAG"
	build_kernel "$@"
}

main() {
	local cmd=${1:-help}
	[ $# -gt 0 ] && shift
	mkdir -p "$BUILD"
	case $cmd in
	deps) cmd_deps ;;
	prepare) cmd_prepare "$@" ;;
	export) cmd_export "$@" ;;
	build)
		while [ $# -gt 0 ]; do
			case $1 in
			--config) CONFIG_FRAGS+=("$2"); shift 2 ;;
			*) die "unknown option $1 (see ./vmtest.sh help)" ;;
			esac
		done
		cmd_build ;;
	run) cmd_run "$@" ;;
	test) cmd_test "$@" ;;
	demo) cmd_demo ;;
	bench) cmd_bench ;;
	shell) cmd_shell "$@" ;;
	baseline-check) cmd_baseline_check ;;
	help|-h|--help) usage ;;
	*) usage >&2; die "unknown command \"$cmd\"" ;;
	esac
}

main "$@"
