#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job's demo, run inside the guest by "./vmtest.sh demo" from the
# selftests directory: a BPF program keeps the current task in a map
# (demo/kptr_demo.bpf.c) and a later run of another program reads it back;
# then one keeps a counted reference to it, which the map drops on update;
# then children keep references to their parent and to themselves in task
# local storage, which are dropped when they exit.
echo "== kernel $(uname -r), $(nproc) CPUs"
echo "== a map value with a typed kernel pointer:"
echo "     struct map_value { int stored_pid; struct task_struct __kptr *task; };"
echo "   and one that owns a reference:"
echo "     struct held_value { struct task_struct __kptr_ref *task; };"
echo "   which task local storage values may hold too (follow-up series)"
./kptr_demo
