#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job's demo, run inside the guest by "./vmtest.sh demo" from the
# selftests directory.  Until the series lands the kernel is the pre-kptr
# baseline: the demo shows it booting, BPF working, and kptrs absent.
set -e
echo "== kernel: $(uname -r), $(nproc) CPUs"
echo "== BPF: a program with a \"kptr\"-tagged map value field, on this kernel"
./kptr_baseline
