// SPDX-License-Identifier: GPL-2.0
/* The main job's demo: a typed kernel pointer kept in a BPF map across
 * program runs.  Run from the directory that holds kptr_demo.bpf.o.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct map_value {
	int stored_pid;
	unsigned long long task;
};

static char log_buf[64 * 1024];

/* Attaches @name (fentry on bpf_fentry_test1) and runs it once */
static int run(struct bpf_object *obj, const char *name)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);
	struct bpf_link *link = bpf_program__attach(prog);
	int err;

	if (libbpf_get_error(link))
		return -1;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
	bpf_link__destroy(link);
	return err;
}

int main(void)
{
	struct map_value v = {};
	struct bpf_program *prog;
	struct bpf_object *obj;
	char comm[16] = {};
	int key = 0, map_fd, bss_fd, held_fd, ok;
	struct {
		int pid;
		char comm[16];
		struct { int usage_before, usage_after, held_pid; } holding;
	} bss;

	obj = bpf_object__open_file("kptr_demo.bpf.o", NULL);
	if (!obj)
		return 1;
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
	if (bpf_object__load(obj)) {
		printf("the kernel refused the programs: it has no kptr support\n%s",
		       log_buf);
		return 1;
	}
	map_fd = bpf_object__find_map_fd_by_name(obj, "remembered");
	bss_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, ".bss"));

	strncpy(comm, "kptr-demo", sizeof(comm));
	syscall(SYS_prctl, 15 /* PR_SET_NAME */, comm, 0, 0, 0);
	printf("this process: pid %ld, comm %s\n", (long)syscall(SYS_gettid), comm);

	if (run(obj, "remember_task"))
		return 1;
	printf("run 1, remember_task: stored the current task in the map\n");

	bpf_map_lookup_elem(map_fd, &key, &v);
	printf("user space reads the map value: stored_pid %d, task field %#llx"
	       " (a kernel address never reaches user space)\n", v.stored_pid, v.task);

	if (run(obj, "recall_task"))
		return 1;
	bpf_map_lookup_elem(bss_fd, &key, &bss);
	printf("run 2, recall_task: loaded the task back from the map: pid %d, comm %s\n",
	       bss.pid, bss.comm);

	ok = bss.pid == syscall(SYS_gettid) && !strcmp(bss.comm, comm) && !v.task;

	/* a referenced kptr: the map owns a counted reference to the task */
	held_fd = bpf_object__find_map_fd_by_name(obj, "held");
	if (run(obj, "hold_task"))
		return 1;
	bpf_map_lookup_elem(bss_fd, &key, &bss);
	printf("run 3, hold_task: moved a reference to the current task into the map"
	       " with bpf_kptr_xchg(): the task's usage count went %d -> %d\n",
	       bss.holding.usage_before, bss.holding.usage_after);
	ok &= bss.holding.usage_after == bss.holding.usage_before + 1;
	if (run(obj, "check_held"))
		return 1;
	bpf_map_lookup_elem(bss_fd, &key, &bss);
	printf("run 4, check_held: the map holds pid %d\n", bss.holding.held_pid);
	ok &= bss.holding.held_pid == syscall(SYS_gettid);

	bpf_map_update_elem(held_fd, &key, &(long long){0}, 0);
	if (run(obj, "check_held"))
		return 1;
	bpf_map_lookup_elem(bss_fd, &key, &bss);
	printf("user space updated the value: the map dropped its reference"
	       " (the field now reads %d)\n", bss.holding.held_pid);
	ok &= bss.holding.held_pid == -1;

	bpf_object__close(obj);
	return ok ? 0 : 1;
}
