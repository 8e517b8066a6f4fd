// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline check: proves that the kernel it runs on has no kptr
 * support, as a pre-5.19 kernel.  A map value with a "kptr"-tagged field
 * is accepted with the tag ignored: a stored task pointer is a plain word
 * that user space reads back, a load from the field is a scalar that cannot
 * be dereferenced, and bpf_kptr_xchg is an unknown helper.
 *
 * Run from the directory that holds kptr_baseline.bpf.o.  Prints one
 * "ok N - ..." or "not ok N - ..." line per check, then exits 0 only if
 * every check held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define OBJ_FILE "kptr_baseline.bpf.o"

struct map_value {
	unsigned long long task;
	unsigned long long stored;
};

static int checks, failures;
static char log_buf[1024 * 1024];

static void report(int ok, const char *what)
{
	checks++;
	if (!ok)
		failures++;
	printf("%sok %d - %s\n", ok ? "" : "not ", checks, what);
}

/* Opens the object with only @prog_name enabled for loading. */
static struct bpf_object *open_with_only(const char *prog_name)
{
	struct bpf_program *prog;
	struct bpf_object *obj;

	obj = bpf_object__open_file(OBJ_FILE, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", OBJ_FILE, strerror(errno));
		exit(2);
	}
	bpf_object__for_each_program(prog, obj) {
		int mine = !strcmp(bpf_program__name(prog), prog_name);

		bpf_program__set_autoload(prog, mine);
		if (mine) {
			log_buf[0] = '\0';
			bpf_program__set_log_buf(prog, log_buf, sizeof(log_buf));
			bpf_program__set_log_level(prog, 1);
		}
	}
	return obj;
}

/* The object's BTF still has the tag: the compiler did not drop it. */
static void check_tag_in_btf(void)
{
	struct bpf_object *obj = open_with_only("store_task");
	struct btf *btf = bpf_object__btf(obj);

	report(btf && btf__find_by_name_kind(btf, "kptr", BTF_KIND_TYPE_TAG) > 0,
	       "the map value's BTF carries the \"kptr\" type tag");
	bpf_object__close(obj);
}

static void check_store_is_plain_word(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct map_value v = {};
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int key = 0, err;

	obj = open_with_only("store_task");
	err = bpf_object__load(obj);
	report(!err, "a map with a kptr-tagged field is created and a store of a task pointer is accepted");
	if (err) {
		fprintf(stderr, "%s", log_buf);
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, "store_task");
	link = bpf_program__attach(prog);
	err = libbpf_get_error(link);
	report(!err, "the store program attaches");
	if (err)
		goto out;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
	report(!err, "the store program runs");
	err = bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "kptr_map"),
				  &key, &v);
	report(!err && v.stored == 1, "the program stored into the map value");
	report(!err && v.task != 0,
	       "user space reads the stored pointer back (the tag is ignored)");
	bpf_link__destroy(link);
out:
	bpf_object__close(obj);
}

static void check_rejected(const char *prog_name, const char *expected_msg,
			   const char *what)
{
	struct bpf_object *obj = open_with_only(prog_name);
	int err;

	libbpf_set_print(NULL);
	err = bpf_object__load(obj);
	report(err && strstr(log_buf, expected_msg), what);
	if (!err || !strstr(log_buf, expected_msg))
		fprintf(stderr, "expected the verifier to say \"%s\"; log:\n%s\n",
			expected_msg, log_buf);
	bpf_object__close(obj);
}

int main(void)
{
	check_tag_in_btf();
	check_store_is_plain_word();
	check_rejected("load_task", "invalid mem access 'scalar'",
		       "a load from the field is a scalar: dereferencing it is rejected");
	check_rejected("xchg_task", "unknown func bpf_kptr_xchg",
		       "bpf_kptr_xchg is rejected as an unknown helper");
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
