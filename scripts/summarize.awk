# SPDX-License-Identifier: GPL-2.0
#
# Counts the results of the suite's runners, with the deny list applied.
#
#   awk -f summarize.awk DENYLIST results/test_verifier.log \
#       results/test_progs.log results/kptr_baseline.log
#
# Prints one line per failed or skipped test, a "runner-failures RUNNER N"
# line per runner (failures seen in its output, denied ones included, so
# that vmtest.sh can tell a runner that died from one that reported), then
# "PASSED FAILED SKIPPED" as three numbers on the last line.
#
# What counts as a test:
#   test_verifier  each "#N/u" or "#N/p" case (unprivileged, privileged)
#   test_progs     each subtest, or the test itself when it has none
#   kptr_baseline, fuzz_verifier, fuzz_btf
#                  each "ok N - name"/"not ok N - name" check
# A denied test counts as skipped, never as passed, whatever it did.

function deny_key(suite, name) { return suite SUBSEP name }

function count(suite, name, result) {
	if (result == "fail")
		fails_seen[suite]++
	if (deny_key(suite, name) in denied) {
		seen_denied[deny_key(suite, name)] = 1
		if (result == "pass")
			printf("note: denied test passed, its entry may be stale: %s: %s\n", suite, name)
		skipped++
		return
	}
	if (result == "pass")
		passed++
	else if (result == "skip") {
		skipped++
		printf("SKIP %s: %s\n", suite, name)
	} else {
		failed++
		printf("FAIL %s: %s\n", suite, name)
	}
}

FNR == 1 {
	file = FILENAME
	sub(/.*\//, "", file)
	sub(/\.log$/, "", file)
	suite = (FILENAME == ARGV[1]) ? "denylist" : file
	if (suite != "denylist")
		logs_seen[suite] = 1
}

# Deny list: "suite: name  # reason"; the reason is required.
suite == "denylist" {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	line = $0
	if (index(line, " # ") == 0) {
		printf("FAIL denylist: entry without a reason: %s\n", line)
		failed++
		next
	}
	entry = substr(line, 1, index(line, " # ") - 1)
	s = substr(entry, 1, index(entry, ":") - 1)
	n = substr(entry, index(entry, ":") + 1)
	gsub(/^[ \t]+|[ \t]+$/, "", n)
	denied[deny_key(s, n)] = 1
	if (s == "test_progs" || s == "conformance_progs")
		progs_denied[s SUBSEP n] = 1
	next
}

# test_progs repeats the results of failed tests after "All error logs:",
# with their logs: count each once
(suite == "test_progs" || suite == "conformance_progs") && /^All error logs:$/ {
	error_logs[suite] = 1
}
(suite in error_logs) { next }

# test_verifier: "#12/p some description OK", "... FAIL...", "... SKIP ..."
(suite == "test_verifier" || suite == "conformance_verifier") && /^#[0-9]+\/[up] / {
	mode = substr($1, index($1, "/") + 1)
	rest = substr($0, length($1) + 2)
	if (match(rest, / OK$/))
		result = "pass"
	else if (match(rest, / SKIP( \(.*\))?$/))
		result = "skip"
	else if (match(rest, / FAIL/))
		result = "fail"
	else
		next
	name = substr(rest, 1, RSTART - 1) "/" mode
	count(suite, name, result)
	next
}

# test_progs: "#12     name:OK", "#12/3   name/sub:FAIL"
(suite == "test_progs" || suite == "conformance_progs") && /^#[0-9]+(\/[0-9]+)? +.*:(OK|SKIP|FAIL)$/ {
	num = substr($1, 2)
	tname = $0
	sub(/^#[0-9]+(\/[0-9]+)? +/, "", tname)
	res = tname
	sub(/.*:/, "", res)
	sub(/:(OK|SKIP|FAIL)$/, "", tname)
	result = (res == "OK") ? "pass" : (res == "SKIP") ? "skip" : "fail"
	if (index(num, "/")) {
		parent = suite SUBSEP substr(num, 1, index(num, "/") - 1)
		has_subtests[parent] = 1
		if (result == "fail")
			subtest_failed[parent] = 1
		count(suite, tname, result)
	} else if (!((suite SUBSEP num) in has_subtests)) {
		count(suite, tname, result)
	} else if (result == "fail" && !((suite SUBSEP num) in subtest_failed) &&
		   !((suite SUBSEP tname) in progs_denied)) {
		# A test can fail outside its subtests (setup, teardown); one
		# whose subtest failed reports FAIL for that alone, counted once.
		count(suite, tname " (outside its subtests)", "fail")
	}
	next
}

(suite == "kptr_baseline" || suite ~ /^fuzz_/) && /^(not )?ok [0-9]+ - / {
	name = $0
	sub(/^(not )?ok [0-9]+ - /, "", name)
	count(suite, name, /^ok/ ? "pass" : "fail")
	next
}

END {
	# test_progs never prints a test it was told to deny.
	for (k in denied) {
		split(k, kp, SUBSEP)
		if ((kp[1] == "test_progs" || kp[1] == "conformance_progs") &&
		    (kp[1] in logs_seen) && !(k in seen_denied))
			skipped++
	}
	for (r in logs_seen)
		printf("runner-failures %s %d\n", r, fails_seen[r])
	print passed + 0, failed + 0, skipped + 0
}
