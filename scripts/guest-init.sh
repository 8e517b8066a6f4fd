#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the vmtest guest.  The root file system is the host's, read-only
# over 9p; vmtest.sh passes three more 9p shares, mounted at the same paths
# as on the host (after the guest's own tmpfs on /tmp, which would hide a
# host directory under /tmp):
#
#   vmtest_repo=DIR   this repository (read-only): the harness's scripts
#   vmtest_io=DIR     the run's own directory (read-write): cmd.sh to run,
#                     status and dmesg written back
#   vmtest_share=DIR  the directory the command runs in (read-write)
#
# The kernel hands unknown key=value boot parameters to init as variables.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

mount_fs() {
	# $1 type, $2 source, $3 mount point, $4 options
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" ||
		echo "vmtest: cannot mount $1 on $3" >&2
}

mount_fs proc proc /proc
mount_fs sysfs sysfs /sys
mount_fs devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount_fs devpts devpts /dev/pts
mount_fs tmpfs tmpfs /dev/shm
mount_fs tmpfs tmpfs /tmp
mount_fs tmpfs tmpfs /run
mount_fs debugfs debugfs /sys/kernel/debug
mount_fs tracefs tracefs /sys/kernel/tracing
mount_fs bpf bpf /sys/fs/bpf
mount_fs cgroup2 cgroup2 /sys/fs/cgroup

P9=trans=virtio,version=9p2000.L,msize=262144,access=any,cache=none
for share in "repo $vmtest_repo" "vmio $vmtest_io" "share $vmtest_share"; do
	set -- $share
	[ -n "${2:-}" ] || continue
	# a mount point under the guest's tmpfs has to be made
	mkdir -p "$2" 2>/dev/null
	mount_fs 9p "$1" "$2" "$P9"
done

ip link set dev lo up 2>/dev/null || busybox ip link set dev lo up

cd "${vmtest_share:-/}" || exit 1
echo "vmtest: running command in $(pwd)"
if [ "$vmtest_interactive" = 1 ]; then
	setsid sh -c 'exec bash -i </dev/ttyS0 >/dev/ttyS0 2>&1'
	rc=$?
else
	sh "$vmtest_io/cmd.sh"
	rc=$?
fi
dmesg >"$vmtest_io/dmesg" 2>&1
echo "$rc" >"$vmtest_io/status"
sync
echo "vmtest: command exited with status $rc"
busybox reboot -f
