// SPDX-License-Identifier: GPL-2.0
/* The main job's demo: a typed kernel pointer kept in a BPF map across
 * program runs.  Run from the directory that holds kptr_demo.bpf.o.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* The task local storage part: what the family programs count */
struct family {
	int watch_tgid;
	int usage;
	int parents_kept;
	int parents_found;
	int selves_kept;
	int children_freed;
};

#define CHILDREN 3

static int family_get(int fd, struct family *f)
{
	return bpf_map_lookup_elem(fd, &(int){0}, f);
}

/* This process's usage count, as read_usage (@prog_fd, attached) sees it */
static int usage_now(int prog_fd, int fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct family f;

	if (bpf_prog_test_run_opts(prog_fd, &topts) || family_get(fd, &f))
		return -1;
	return f.usage;
}

/* Attaching and detaching fentry programs (runs 1-4 did) retires
 * trampoline images through RCU tasks grace periods, which hold
 * references to running tasks such as this one for a while: wait until
 * the count has not moved for half a second.
 */
static int usage_settled(int prog_fd, int fd)
{
	int i, same = 0, prev = -1, n;

	for (i = 0; i < 1000 && same < 25; i++) {
		n = usage_now(prog_fd, fd);
		same = n == prev ? same + 1 : 0;
		prev = n;
		usleep(20000);
	}
	return prev;
}

/* Polls until this process's usage count is @want (10 s at most) */
static int usage_becomes(int prog_fd, int fd, int want)
{
	int i, n = -1;

	for (i = 0; i < 1000; i++) {
		n = usage_now(prog_fd, fd);
		if (n == want)
			break;
		usleep(10000);
	}
	return n;
}

/* Children keep counted references to their parent and to themselves in
 * task local storage; once they have exited, nothing is left
 */
static int task_storage(struct bpf_object *obj)
{
	static const char * const names[] = {
		"keep_parent", "child_run", "task_freed", "read_usage",
	};
	struct bpf_link *links[4] = {};
	struct bpf_program *child_run;
	int fd, i, n = 0, ok = 0, usage0, usage1, usage2, go[2], ready[2];
	int usage_fd;
	struct family f = { .watch_tgid = getpid() };
	pid_t pids[CHILDREN];
	char c;

	fd = bpf_object__find_map_fd_by_name(obj, "family");
	child_run = bpf_object__find_program_by_name(obj, "child_run");
	usage_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "read_usage"));
	if (bpf_map_update_elem(fd, &(int){0}, &f, 0))
		return 0;
	for (i = 0; i < 4; i++) {
		links[i] = bpf_program__attach(bpf_object__find_program_by_name(obj, names[i]));
		if (libbpf_get_error(links[i])) {
			links[i] = NULL;
			goto out;
		}
	}
	usage0 = usage_settled(usage_fd, fd);
	printf("run 5, task local storage: this process's usage count is %d\n", usage0);
	if (pipe(go) || pipe(ready))
		goto out;
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			LIBBPF_OPTS(bpf_test_run_opts, topts);

			close(go[1]);
			close(ready[0]);
			bpf_prog_test_run_opts(bpf_program__fd(child_run), &topts);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (pids[i] < 0)
			break;
		n++;
	}
	close(ready[1]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	close(ready[0]);
	usage1 = usage_becomes(usage_fd, fd, usage0 + n);
	family_get(fd, &f);
	printf("%d children forked; keep_parent (tp_btf/sched_process_fork) moved a"
	       " reference to this process into the task storage of %d of them:"
	       " its usage count went %d -> %d\n", n, f.parents_kept, usage0, usage1);
	printf("each child, in child_run: %d of %d found this process in their"
	       " storage, %d moved a reference to themselves into their own storage\n",
	       f.parents_found, n, f.selves_kept);
	ok = n == CHILDREN && f.parents_kept == n && usage1 == usage0 + n &&
	     f.parents_found == n && f.selves_kept == n;

	close(go[1]);		/* the children exit */
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	/* the exit path drops storage references after an RCU grace period */
	usage2 = usage_becomes(usage_fd, fd, usage0);
	for (i = 0; i < 1000 && family_get(fd, &f) == 0 && f.children_freed < n; i++)
		usleep(10000);
	close(go[0]);
	printf("the children exited: their storage dropped its references, this"
	       " process's usage count is back to %d, and free_task saw %d of %d"
	       " children freed, although each one's storage held a reference to"
	       " itself\n", usage2, f.children_freed, n);
	ok &= usage2 == usage0 && f.children_freed == n;
out:
	for (i = 0; i < 4; i++)
		bpf_link__destroy(links[i]);
	return ok;
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

	ok &= task_storage(obj);

	bpf_object__close(obj);
	return ok ? 0 : 1;
}
