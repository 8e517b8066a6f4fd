/* SPDX-License-Identifier: GPL-2.0 */
/* What tests/bench_kptr.c and tests/bench_kptr.bpf.c share: the
 * program's global variables, one struct in .bss.
 */
#ifndef BENCH_KPTR_H
#define BENCH_KPTR_H

struct bench_globals {
	/* set by user space */
	__u32 free_entries;	/* max_entries of the map whose htab_map_free()
				 * is timed (its id is gone by then)
				 */
	__u32 fill_base;	/* first key the fill programs insert */
	__u32 fill_count;	/* how many keys */
	__u32 pad;
	/* set by the programs */
	__u64 free_ns;		/* htab_map_free() of free_map_id took */
	__u32 fill_done;	/* elements the last fill gave a reference */
	__s32 fill_err;		/* why it stopped: a helper's error, or -1 */
	__u64 free_map;		/* the map being freed, while it is */
	__u64 free_start;
};

#endif
