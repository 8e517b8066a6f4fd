// SPDX-License-Identifier: GPL-2.0
/* The guest side of "./vmtest.sh bench": measures what the kptr code costs,
 * per operation, on whichever kernel it runs.  The harness boots upstream's
 * kernel (tag base) and the series' kernel under QEMU with
 * "-icount shift=0,sleep=off", where one nanosecond of guest time is one
 * guest instruction, runs this in both and puts the figures side by side.
 *
 * Output: one line per figure, "KEY|VALUE|WHAT".  Each timed figure is the
 * thread's CPU time (interrupts left out: CONFIG_IRQ_TIME_ACCOUNTING), the
 * median of REPS repetitions.
 *
 * Usage: bench_kptr [-o FILE] [--only PREFIX] [--scale N] [BPF_OBJECT]
 *   BPF_OBJECT   default: bench_kptr.bpf.o
 *   -o           write the figures to FILE, not to standard output: the
 *                console's interrupts would fall into the next figure
 *   --only       only the figures whose key starts with PREFIX
 *   --scale      N times the iterations: for profiling one figure with
 *                "perf record" in the guest
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/filter.h>
#include "bench_kptr.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define REPS 7

/* struct val of the BPF object: u64, kptr, kptr_ref */
#define VAL_SIZE 24
#define VAL_UNREF_OFF 8

static const char *obj_path = "bench_kptr.bpf.o";
static const char *only = "";
static unsigned int scale = 1;
static int nr_cpus;

static int want(const char *key)
{
	return !strncmp(key, only, strlen(only)) || !strncmp(only, key, strlen(key));
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_kptr: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* This thread's CPU time: what another task runs meanwhile (a kworker, a
 * kthread that wakes up) does not count, the interrupts that fall into
 * the thread's time do.
 */
static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static FILE *out;

/* Writes a figure, then idles for a moment: the write's interrupts, and
 * anything else pending, are over before the next figure is timed.  Under
 * "-icount sleep=off" idling costs no host time.
 */
static void report(const char *key, double value, const char *what)
{
	fprintf(out, "%s|%.1f|%s\n", key, value, what);
	fflush(out);
	fsync(fileno(out));
	usleep(20000);
}

/* The repetitions of one figure; the figure is their median, which
 * neither a repetition that an interrupt or a slab refill fell into nor
 * one that was luckier than the others moves.
 */
struct samples {
	double v[64];
	unsigned int n;
};

static void sample(struct samples *s, double x)
{
	if (s->n < ARRAY_SIZE(s->v))
		s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(struct samples *s)
{
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	return s->v[s->n / 2];
}

/* --- objects ------------------------------------------------------------ */

/* Opens the BPF object with only the programs named in @progs (a
 * space-separated list, NULL: all) to load, @free_entries elements in
 * free_hash.
 */
static struct bpf_object *open_obj(const char *progs, __u32 free_entries)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char name[64];

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		die("cannot open %s: %s", obj_path, strerror(errno));
	bpf_object__for_each_program(prog, obj) {
		snprintf(name, sizeof(name), " %s ", bpf_program__name(prog));
		if (progs) {
			char list[256];

			snprintf(list, sizeof(list), " %s ", progs);
			bpf_program__set_autoload(prog, !!strstr(list, name));
		}
	}
	if (bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "free_hash"),
				     free_entries))
		die("cannot size free_hash");
	if (bpf_object__load(obj))
		die("cannot load %s (programs: %s)", obj_path, progs ? progs : "all");
	return obj;
}

/* The object's .bss, mapped from the kernel's map: libbpf maps it itself
 * only for skeletons
 */
static struct {
	struct bpf_object *obj;
	struct bench_globals *g;
} cache[8];

static struct bench_globals *globals(struct bpf_object *obj)
{
	struct bpf_map *map;
	unsigned int i;

	for (i = 0; i < 8 && cache[i].obj; i++) {
		if (cache[i].obj == obj)
			return cache[i].g;
	}
	if (i == 8)
		die("too many objects");
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		void *p;

		if (strlen(n) <= 4 || strcmp(n + strlen(n) - 4, ".bss"))
			continue;
		if (bpf_map__value_size(map) < sizeof(struct bench_globals))
			die(".bss is too small");
		p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
			 MAP_SHARED, bpf_map__fd(map), 0);
		if (p == MAP_FAILED)
			die("cannot map .bss: %s", strerror(errno));
		cache[i].obj = obj;
		cache[i].g = p;
		return p;
	}
	die("no .bss in %s", obj_path);
	return NULL;
}

/* Closes an object that globals() may have mapped */
static void close_obj(struct bpf_object *obj)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (cache[i].obj == obj) {
			munmap(cache[i].g, sysconf(_SC_PAGESIZE));
			cache[i].obj = NULL;
		}
	}
	bpf_object__close(obj);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		die("no map %s", name);
	return bpf_map__fd(map);
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);

	if (!prog || bpf_program__fd(prog) < 0)
		die("no program %s", name);
	return bpf_program__fd(prog);
}

static char pkt[64];

/* Runs @fd @repeat times; returns its return value, *@ns the time per run */
static __u32 run_prog(int fd, __u32 repeat, double *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = sizeof(pkt),
		.repeat = repeat,
	);
	unsigned long long t0;

	t0 = now_ns();
	if (bpf_prog_test_run_opts(fd, &opts))
		die("test run: %s", strerror(errno));
	if (ns)
		*ns = (double)(now_ns() - t0) / repeat;
	return opts.retval;
}

/* --- BPF programs --------------------------------------------------------- */

static void bench_progs(struct bpf_object *obj)
{
	static const struct {
		const char *name;
		__u32 want;	/* its return value when it did its work */
		const char *what;
	} progs[] = {
		{ "plain_load", 0, "map lookup + plain load (the floor)" },
		{ "kptr_load", 42, "kptr load + NULL check + field read" },
		{ "kptr_store", 1, "acquire + store in kptr + release" },
		{ "kptr_xchg", 1, "acquire + bpf_kptr_xchg in and out + release" },
		{ "kptr_get", 1, "kptr_get kfunc + release" },
	};
	const __u32 repeat = 5000;
	char key[64], what[128];
	unsigned int i, r;

	/* value 0's kptr points to the test object for kptr_load, value 1's
	 * kptr_ref holds a reference for kptr_get
	 */
	if (run_prog(prog_fd(obj, "kptr_store"), 1, NULL) != 1 ||
	    run_prog(prog_fd(obj, "kptr_setup"), 1, NULL) != 0)
		die("setting up the values failed");
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct samples best = {};
		double ns;
		int fd = prog_fd(obj, progs[i].name);

		snprintf(key, sizeof(key), "prog.%s", progs[i].name);
		if (!want(key))
			continue;
		for (r = 0; r < REPS * scale; r++) {
			if (run_prog(fd, repeat, &ns) != progs[i].want)
				die("%s returned another value than %u: it did not do its work",
				    progs[i].name, progs[i].want);
			sample(&best, ns);
		}
		snprintf(what, sizeof(what), "tc run: %s", progs[i].what);
		report(key, median(&best), what);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			die("prog info: %s", strerror(errno));
		snprintf(key, sizeof(key), "prog.%s.verified", progs[i].name);
		snprintf(what, sizeof(what), "  its verified instructions");
		report(key, info.verified_insns, what);
	}
}

/* --- operations from user space ----------------------------------------- */

struct op {
	int fd;
	int fd2;
	__u32 key;
	void *val;
};

/* The floor of every syscall figure */
static int op_getppid(struct op *o, __u32 i)
{
	return getppid() < 0;
}

static int op_bpf_nop(struct op *o, __u32 i)
{
	/* BPF_MAP_GET_NEXT_ID past the last id: the bpf syscall's own floor */
	__u32 next;

	return bpf_map_get_next_id(1U << 30, &next) != -ENOENT;
}

static int op_update(struct op *o, __u32 i)
{
	return bpf_map_update_elem(o->fd, &o->key, o->val, BPF_ANY);
}

static int op_update_delete(struct op *o, __u32 i)
{
	return bpf_map_update_elem(o->fd, &o->key, o->val, BPF_NOEXIST) ?:
	       bpf_map_delete_elem(o->fd, &o->key);
}

static int op_lookup(struct op *o, __u32 i)
{
	return bpf_map_lookup_elem(o->fd, &o->key, o->val);
}

/* A new key each time, in a full LRU map whose elements hold references */
static int op_evict(struct op *o, __u32 i)
{
	__u32 key = o->key + i;

	return bpf_map_update_elem(o->fd, &key, o->val, BPF_ANY);
}

/* The median time per call of @fn over REPS runs of @n calls; @prepare,
 * if any, runs untimed before each run.
 */
static double time_op(int (*fn)(struct op *, __u32), struct op *o, __u32 n,
		      void (*prepare)(struct op *))
{
	struct samples best = {};
	unsigned long long t0;
	__u32 r, i;

	for (r = 0; r < REPS * scale; r++) {
		if (prepare)
			prepare(o);
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			if (fn(o, i))
				die("map operation failed: %s", strerror(errno));
		}
		sample(&best, (double)(now_ns() - t0) / n);
	}
	return median(&best);
}

/* Times @fn and reports it under @key, if --only asks for it */
static void figure(const char *key, const char *what,
		   int (*fn)(struct op *, __u32), struct op *o, __u32 n,
		   void (*prepare)(struct op *))
{
	if (want(key))
		report(key, time_op(fn, o, n, prepare), what);
}

static struct bpf_object *lru_obj;

/* Fills the LRU map, keys 0..1023, each value with a reference; the next
 * run inserts 256 keys none of which is in the map
 */
static void lru_fill(struct op *o)
{
	struct bench_globals *g = globals(lru_obj);
	int ret;

	g->fill_base = 0;
	g->fill_count = 1024;
	ret = run_prog(prog_fd(lru_obj, "fill_lru"), 1, NULL);
	if (g->fill_done != 1024)
		die("fill_lru filled %u of 1024 (error %d, bpf_loop() %d, count %u)",
		    g->fill_done, g->fill_err, ret, g->fill_count);
	o->key += 256;
}

static void bench_syscalls(struct bpf_object *obj)
{
	static char val[VAL_SIZE * 256];
	const __u32 n = 500;
	struct op o = { .val = val };

	memset(val, 0, sizeof(val));
	figure("sys.getppid", "syscall: getppid() (the floor)",
	       op_getppid, &o, n, NULL);
	figure("sys.bpf_nop", "syscall: bpf(BPF_MAP_GET_NEXT_ID) past the last id",
	       op_bpf_nop, &o, n, NULL);
	o.fd = map_fd(obj, "arr");
	o.key = 2;
	figure("sys.array_update", "update: array",
	       op_update, &o, n, NULL);
	o.fd = map_fd(obj, "parr");
	figure("sys.percpu_array_update", "update: percpu array",
	       op_update, &o, n, NULL);
	o.fd = map_fd(obj, "hash");
	o.key = 7;
	if (op_update(&o, 0))
		die("hash update: %s", strerror(errno));
	figure("sys.hash_update", "update: hash, existing key",
	       op_update, &o, n, NULL);
	o.fd = map_fd(obj, "lru");
	if (op_update(&o, 0))
		die("lru update: %s", strerror(errno));
	figure("sys.lru_update", "update: LRU hash, existing key",
	       op_update, &o, n, NULL);
	o.fd = map_fd(obj, "hash");
	o.key = 9;
	figure("sys.hash_update_delete", "hash: insert + delete",
	       op_update_delete, &o, n, NULL);
	o.fd = map_fd(obj, "arr");
	o.key = 0;
	figure("sys.array_lookup", "lookup: array (copy, kptrs zeroed)",
	       op_lookup, &o, n, NULL);
	o.fd = map_fd(obj, "hash");
	o.key = 7;
	figure("sys.hash_lookup", "lookup: hash (copy, kptrs zeroed)",
	       op_lookup, &o, n, NULL);
	if (((__u64 *)val)[1] || ((__u64 *)val)[2])
		die("a lookup showed a kernel address to user space");
	lru_obj = obj;
	o.fd = map_fd(obj, "lru");
	o.key = 100000;
	memset(val, 0, sizeof(val));
	figure("sys.lru_evict", "update: LRU hash, new key evicting one that holds a reference",
	       op_evict, &o, 256, lru_fill);
}

/* --- map creation --------------------------------------------------------- */

/* A map value of 8 u64 fields, the first @kptrs of them kptrs to
 * struct prog_test_ref_kfunc, in fresh BTF: returns the BTF's fd,
 * *@key_id and *@val_id the type ids of the key and the value.
 */
static struct btf *value_btf(int kptrs, __u32 *key_id, __u32 *val_id)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_u64, i_s, i_tag, i_ptr, i_val, i;
	char name[8];

	if (!btf)
		die("btf__new_empty");
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
	i_s = btf__add_struct(btf, "prog_test_ref_kfunc", 4);
	btf__add_field(btf, "a", i_int, 0, 0);
	i_tag = btf__add_type_tag(btf, "kptr", i_s);
	i_ptr = btf__add_ptr(btf, i_tag);
	i_val = btf__add_struct(btf, "bench_val", 64);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		btf__add_field(btf, name, i < kptrs ? i_ptr : i_u64, i * 64, 0);
	}
	if (btf__load_into_kernel(btf))
		die("loading BTF with %d kptrs: %s", kptrs, strerror(errno));
	*key_id = i_int;
	*val_id = i_val;
	return btf;
}

static void bench_create(void)
{
	static const int counts[] = { 0, 1, 2, 4, 8 };
	const int n = 16;
	char key[32], what[80];
	unsigned int c;
	int fds[16], r, i;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		__u32 key_id, val_id;
		struct btf *btf = value_btf(counts[c], &key_id, &val_id);
		LIBBPF_OPTS(bpf_map_create_opts, opts,
			.btf_fd = btf__fd(btf),
			.btf_key_type_id = key_id,
			.btf_value_type_id = val_id,
		);
		struct samples best = {};
		unsigned long long t0;

		for (r = 0; r < REPS; r++) {
			t0 = now_ns();
			for (i = 0; i < n; i++) {
				fds[i] = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL,
							4, 64, 1, &opts);
				if (fds[i] < 0)
					die("map create with %d kptrs: %s",
					    counts[c], strerror(errno));
			}
			sample(&best, (double)(now_ns() - t0) / n);
			for (i = 0; i < n; i++)
				close(fds[i]);
			/* let the maps be freed before the next run */
			usleep(20000);
		}
		snprintf(key, sizeof(key), "create.%d", counts[c]);
		snprintf(what, sizeof(what), counts[c] ? "map create: array, %d kptr%s" :
			 "map create: array, no kptr (the floor)",
			 counts[c], counts[c] > 1 ? "s" : "");
		report(key, median(&best), what);
		btf__free(btf);
	}
}

/* --- map free ----------------------------------------------------------- */

/* htab_map_free() of a preallocated hash map of @n elements, each holding
 * a reference, timed inside the kernel by @tracer's programs
 */
static double time_free(struct bpf_object *tracer, __u32 n)
{
	struct bench_globals *tg = globals(tracer), *g;
	struct bpf_object *obj;
	int waited;

	obj = open_obj("fill_free", n);
	g = globals(obj);
	g->fill_base = 0;
	g->fill_count = n;
	run_prog(prog_fd(obj, "fill_free"), 1, NULL);
	if (g->fill_done != n)
		die("fill_free filled %u of %u (error %d)", g->fill_done, n, g->fill_err);
	tg->free_ns = 0;
	tg->free_entries = n;
	close_obj(obj);
	for (waited = 0; !__atomic_load_n(&tg->free_ns, __ATOMIC_ACQUIRE); waited++) {
		if (waited > 60000)
			die("the map of %u elements was not freed within a minute", n);
		usleep(1000);
	}
	return (double)tg->free_ns;
}

static void bench_free(void)
{
	static const __u32 sizes[] = { 1000, 10000, 100000 };
	struct bpf_object *tracer;
	struct bpf_link *l1, *l2;
	char key[32], what[80];
	unsigned int s;
	int r;

	tracer = open_obj("free_enter free_exit", 1);
	l1 = bpf_program__attach(bpf_object__find_program_by_name(tracer, "free_enter"));
	l2 = bpf_program__attach(bpf_object__find_program_by_name(tracer, "free_exit"));
	if (!l1 || !l2)
		die("cannot attach to htab_map_free: %s", strerror(errno));
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct samples best = {};

		for (r = 0; r < 3; r++)
			sample(&best, time_free(tracer, sizes[s]) / sizes[s]);
		snprintf(key, sizeof(key), "free.%u", sizes[s]);
		snprintf(what, sizeof(what),
			 "map free: hash of %u elements with a reference, per element",
			 sizes[s]);
		report(key, median(&best), what);
	}
	bpf_link__destroy(l1);
	bpf_link__destroy(l2);
	close_obj(tracer);
}

/* --- the verifier ------------------------------------------------------- */

/* Loads a program of @accesses kptr loads, each NULL-checked and read
 * through; reports the verifier's counts and the load's time.  The same
 * shape with the value's plain u64 (load, zero check, move) is the floor.
 */
static void bench_verifier(int arr_fd)
{
	static const int sizes[] = { 1, 10, 100, -100 };
	static struct bpf_insn insns[512];
	static char log[65536];
	char key[48], what[96];
	unsigned int s;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int insns_done = 0, states = 0, peak = 0;
		int count = abs(sizes[s]), plain = sizes[s] < 0;
		struct samples best = {};
		int n = 0, k, r, fd;
		const char *p;

		insns[n++] = BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0);
		insns[n++] = BPF_MOV64_REG(BPF_REG_2, BPF_REG_10);
		insns[n++] = BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4);
		insns[n++] = (struct bpf_insn){ BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1,
						 BPF_PSEUDO_MAP_FD, 0, arr_fd };
		insns[n++] = (struct bpf_insn){ 0, 0, 0, 0, 0 };
		insns[n++] = BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, 0, 0,
					  BPF_FUNC_map_lookup_elem);
		insns[n++] = BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3 * count + 1);
		insns[n++] = BPF_MOV64_REG(BPF_REG_6, BPF_REG_0);
		for (k = 0; k < count; k++) {
			insns[n++] = BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6,
						 plain ? 0 : VAL_UNREF_OFF);
			insns[n++] = BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 1);
			insns[n++] = plain ? BPF_MOV64_REG(BPF_REG_0, BPF_REG_1) :
					     BPF_LDX_MEM(BPF_W, BPF_REG_0, BPF_REG_1, 0);
		}
		insns[n++] = BPF_MOV64_IMM(BPF_REG_0, 0);
		insns[n++] = BPF_EXIT_INSN();
		for (r = 0; r < REPS; r++) {
			LIBBPF_OPTS(bpf_prog_load_opts, opts,
				.log_level = 4,
				.log_buf = log,
				.log_size = sizeof(log),
			);
			unsigned long long t0 = now_ns();

			fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, NULL, "GPL",
					   insns, n, &opts);
			sample(&best, (double)(now_ns() - t0));
			if (fd < 0)
				die("the program of %d kptr accesses was refused: %s\n%s",
				    sizes[s], strerror(errno), log);
			close(fd);
		}
		p = strstr(log, "processed ");
		if (!p || sscanf(p, "processed %u insns", &insns_done) != 1)
			die("no \"processed\" in the verifier log:\n%s", log);
		p = strstr(log, "total_states ");
		if (!p || sscanf(p, "total_states %u peak_states %u", &states, &peak) != 2)
			die("no \"total_states\" in the verifier log:\n%s", log);
		snprintf(key, sizeof(key), "verifier.%s%d.insns", plain ? "plain" : "", count);
		if (plain)
			snprintf(what, sizeof(what),
				 "verifier, %d plain loads (the floor): instructions processed",
				 count);
		else
			snprintf(what, sizeof(what),
				 "verifier, %d kptr access%s: instructions processed",
				 count, count > 1 ? "es" : "");
		report(key, insns_done, what);
		snprintf(key, sizeof(key), "verifier.%s%d.states", plain ? "plain" : "", count);
		report(key, states, "  states");
		snprintf(key, sizeof(key), "verifier.%s%d.load", plain ? "plain" : "", count);
		report(key, median(&best), "  BPF_PROG_LOAD");
	}
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int i;

	out = stdout;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = fopen(argv[++i], "w");
			if (!out)
				die("cannot write %s: %s", argv[i], strerror(errno));
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--scale") && i + 1 < argc) {
			scale = atoi(argv[++i]) ?: 1;
		} else {
			obj_path = argv[i];
		}
	}
	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus < 1 || nr_cpus > 256)
		die("%d possible CPUs", nr_cpus);
	/* the boot's own console output and work are done first */
	usleep(200000);
	obj = open_obj("plain_load kptr_load kptr_store kptr_xchg kptr_get kptr_setup fill_lru", 1);
	if (want("prog."))
		bench_progs(obj);
	if (want("sys."))
		bench_syscalls(obj);
	if (want("create."))
		bench_create();
	if (want("free."))
		bench_free();
	if (want("verifier."))
		bench_verifier(map_fd(obj, "arr"));
	close_obj(obj);
	return 0;
}
