#!/usr/bin/env bash
# Runs every Go fuzz target in the repository (every `func FuzzXxx(` in a
# *_test.go file, found with grep, so new targets are picked up without
# editing this script), one after another, each for $FUZZTIME:
#
#     go test -run '^$' -fuzz '^FuzzXxx$' -fuzztime $FUZZTIME ./pkg
#
# It stops at the first failure and says where Go wrote the failing input
# (pkg/testdata/fuzz/FuzzXxx/<hash>) and how to replay it. Commit that file
# with the fix: it then runs as a regression test in every `go test`.
#
# Environment:
#   FUZZTIME      time (or iterations, e.g. 500x) per target; default 10s
#   FUZZPARALLEL  fuzzing workers per target; default: go test's (GOMAXPROCS)
#   FUZZTIMEOUT   go test -timeout per target; default 20m
#   FUZZMINIMIZETIME  -fuzzminimizetime; default 0: minimising each new
#                 interesting input (60 s by default) stalls a short run,
#                 and when -fuzztime ends mid-minimisation go test fails
#                 with "context deadline exceeded" although nothing broke
#   FUZZMATCH     only targets whose name matches this extended regexp
#   FUZZLIST=1    list the targets ("dir name" lines) and exit
#
# Usage: scripts/fuzz.sh            (from anywhere in the repository)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

FUZZTIME=${FUZZTIME:-10s}
FUZZTIMEOUT=${FUZZTIMEOUT:-20m}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-0}
FUZZMATCH=${FUZZMATCH:-.}
parallel=()
if [[ -n "${FUZZPARALLEL:-}" ]]; then
	parallel=(-parallel "$FUZZPARALLEL")
fi

# "dir name" lines, sorted, for every fuzz target outside testdata and vendor.
targets=$(
	grep -rEo --include='*_test.go' --exclude-dir=testdata --exclude-dir=vendor --exclude-dir=.git \
		'^func Fuzz[A-Za-z0-9_]*\(' . |
		sed -E 's|^\./||; s|^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|; s|^[^/ ]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|. \1|' |
		grep -E " .*(${FUZZMATCH})" | sort -u || true
)
if [[ -z "$targets" ]]; then
	echo "fuzz.sh: no fuzz targets found (FUZZMATCH=$FUZZMATCH)" >&2
	exit 1
fi
if [[ "${FUZZLIST:-}" == 1 ]]; then
	echo "$targets"
	exit 0
fi
count=$(wc -l <<<"$targets")
echo "fuzz.sh: $count targets, $FUZZTIME each"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
n=0
while read -r dir name; do
	n=$((n + 1))
	pkg="./$dir"
	[[ "$dir" == "." ]] && pkg="."
	echo "=== [$n/$count] $name in $pkg"
	t0=$SECONDS
	fuzz() { go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" -timeout "$FUZZTIMEOUT" "${parallel[@]}" "$pkg" 2>&1 | tee "$log"; }
	ok=1
	fuzz || ok=0
	# Go's fuzzer sometimes ends a run with "context deadline exceeded"
	# when -fuzztime runs out while a worker is busy, with no failing
	# input: a flaw of the runner, not of the code. Such a run is tried
	# once more; a real failure always writes its input.
	if [[ $ok == 0 ]] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
		echo "fuzz.sh: $name: the fuzzer's deadline flake (no failing input); running it once more" >&2
		ok=1
		fuzz || ok=0
	fi
	if [[ $ok == 0 ]]; then
		echo
		echo "fuzz.sh: FAIL: $name in $pkg (after $((SECONDS - t0)) s)" >&2
		# go test prints: Failing input written to testdata/fuzz/FuzzXxx/<hash>
		input=$(sed -nE 's/.*Failing input written to (.*)$/\1/p' "$log" | tail -n 1)
		if [[ -n "$input" ]]; then
			file="$dir/$input"
			[[ "$dir" == "." ]] && file="$input"
			echo "fuzz.sh: the failing input was written to $root/$file" >&2
			echo "fuzz.sh: replay it with: go test -run '^${name}/$(basename "$input")\$' $pkg" >&2
		elif seed=$(sed -nE -e "s/^failure while testing seed corpus entry: ${name}\/([^ ]+)\$/\1/p" -e "s/^ *--- FAIL: ${name}\/([^ ]+) .*/\1/p" "$log" | head -n 1) &&
			[[ -n "$seed" && -f "$dir/testdata/fuzz/$name/$seed" ]]; then
			echo "fuzz.sh: a committed seed fails (before any fuzzing): $root/$dir/testdata/fuzz/$name/$seed" >&2
			echo "fuzz.sh: replay it with: go test -run '^${name}/${seed}\$' $pkg" >&2
		else
			echo "fuzz.sh: no failing input was written (a build error, a timeout or a failing f.Add seed: see the output above)" >&2
		fi
		exit 1
	fi
	echo "--- $name: ok in $((SECONDS - t0)) s"
done <<<"$targets"
echo "fuzz.sh: all $count targets passed in $((SECONDS - start)) s"
