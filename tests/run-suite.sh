#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs the test suite inside the guest, from the selftests output directory
# (vmtest.sh's default share).  Each runner's output goes to results/NAME.log
# and its exit status to results/NAME.rc; vmtest.sh reads them back on the
# host and prints the summary.  Every runner runs even when one fails.
#
#   run-suite.sh DENYLIST [RUNNER...]   (default: every runner)

set -u
denylist=$1
shift
runners=${*:-"test_verifier test_progs kptr_baseline"}

# test_verifier runs each case unprivileged too, which the kernel's default
# (CONFIG_BPF_UNPRIV_DEFAULT_OFF: 2, changeable) would skip.
echo 0 >/proc/sys/kernel/unprivileged_bpf_disabled

mkdir -p results
rm -f results/*.log results/*.rc

# test_progs takes the denied names with -d; the others are filtered on the
# host from their output.
denied_progs=$(sed -n -E 's/^test_progs: *([^ #]+).*/\1/p' "$denylist" | paste -sd, -)
denied_conf=$(sed -n -E 's/^conformance_progs: *([^ #]+).*/\1/p' "$denylist" | paste -sd, -)
# upstream's kptr selftests, built from the pristine tree by vmtest.sh
conf=${CONFORMANCE_DIR:-../conformance}

for r in $runners; do
	echo "vmtest: suite: $r"
	case $r in
	test_verifier)
		./test_verifier >results/$r.log 2>&1 ;;
	test_progs)
		./test_progs ${denied_progs:+-d "$denied_progs"} >results/$r.log 2>&1 ;;
	kptr_baseline)
		./kptr_baseline >results/$r.log 2>&1 ;;
	conformance_progs)
		"$conf"/test_progs ${denied_conf:+-d "$denied_conf"} >results/$r.log 2>&1 ;;
	conformance_verifier)
		"$conf"/test_verifier >results/$r.log 2>&1 ;;
	fuzz_verifier)
		# a bounded slice by default; vmtest.sh passes
		# FUZZ_VERIFIER_ARGS="--seed S --count N" for a longer run
		./$r ${FUZZ_VERIFIER_ARGS:-} >results/$r.log 2>&1 ;;
	fuzz_btf)
		./$r ${FUZZ_BTF_ARGS:-} >results/$r.log 2>&1 ;;
	*)
		echo "run-suite.sh: unknown runner $r" >&2
		echo 127 >results/$r.rc
		continue ;;
	esac
	echo $? >results/$r.rc
	tail -n 1 results/$r.log
done

# With CONFIG_DEBUG_KMEMLEAK, look for leaks once everything ran: objects
# are reported after two scans; the report goes to the kernel log, which
# vmtest.sh scans.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo "vmtest: suite: scanning for memory leaks"
	echo scan >/sys/kernel/debug/kmemleak
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >results/kmemleak.txt
	if [ -s results/kmemleak.txt ]; then
		echo "kmemleak: leaks found, see results/kmemleak.txt" >/dev/kmsg
	fi
fi
