# SPDX-License-Identifier: GPL-2.0
#
# "./vmtest.sh bench": puts tests/bench_kptr's figures from upstream's
# kernel (first file) and the series' kernel (second file) side by side.
# Input lines are "KEY|VALUE|WHAT"; anything else is ignored.
#
#   awk -F'|' -f bench-table.awk upstream.txt series.txt

# Large figures to three or four significant digits: their last digits
# differ from run to run (by less than 0.02%), the ratio uses them all.
function fmt(x) {
	if (x >= 1000000)
		return sprintf("%.2fM", x / 1000000)
	if (x >= 100000)
		return sprintf("%.0fk", x / 1000)
	return sprintf("%.1f", x)
}

NF != 3 { next }
FNR == NR { up[$1] = $2; next }
{ se[$1] = $2; what[$1] = $3; order[++n] = $1 }
END {
	print "guest instructions per operation (QEMU -icount shift=0: 1 ns = 1 instruction),"
	print "verifier counts as the verifier logs them; ratio = series / upstream"
	printf "%-66s %10s %10s %6s\n", "", "upstream", "series", "ratio"
	above = 0
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (!(k in up)) {
			printf "%-66s %10s %10s %6s\n", what[k], "-", fmt(se[k]), "-"
			continue
		}
		r = up[k] > 0 ? sprintf("%.2f", se[k] / up[k]) : "-"
		mark = ""
		if (r != "-" && r + 0 > 1.00) { mark = " >"; above++ }
		printf "%-66s %10s %10s %6s%s\n", what[k], fmt(up[k]), fmt(se[k]), r, mark
	}
	for (k in up)
		if (!(k in se))
			printf "%-66s %10s %10s %6s\n", k, fmt(up[k]), "-", "-"
	printf "%d figure(s) above 1.00 (marked >)\n", above
}
