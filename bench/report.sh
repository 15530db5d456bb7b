#!/usr/bin/env bash
# report.sh CSV: turns bench.sh's results.csv into results.md (Markdown
# tables) and scaling.svg / scaling.png (gnuplot) beside it, and prints the
# Markdown.
# Re-runnable on its own: the CSV holds every figure.
#
# The round-trip floor of a point is the least number of round trips the
# job needs, times the round trip: connecting costs 1.5 (greeting, then
# login and its answer), then every environment can ask for all its
# CREATE TABLEs in one round trip (schema), or its keys and then its rows
# in two (data). Environments are independent, so the fleet's floor is one
# environment's: 2.5 round trips for schema, 3.5 for data.
#
# HEADLINE_MS (10) and HEADLINE_TABLES (300) pick the point of the first
# table.
set -euo pipefail

CSV=${1:?usage: report.sh results.csv}
[ -s "$CSV" ] || { echo "report.sh: $CSV is missing or empty" >&2; exit 1; }
DIR=$(dirname "$CSV")
MD=$DIR/results.md
HEADLINE_MS=${HEADLINE_MS:-10}
HEADLINE_TABLES=${HEADLINE_TABLES:-300}

gawk -F, -v hl="$HEADLINE_MS" -v ht="$HEADLINE_TABLES" -v envs=7 '
function secs(v) { return v == "" ? "" : sprintf("%.2f s", v) }
function mb(kb) { return kb == "" ? "" : sprintf("%.0f MB", kb / 1024) }
function ok(k) { return (k in status) && status[k] == "ok" }
function floor_of(job, l) { return (job == "data" ? 3.5 : 2.5) * l / 1000 }
# a cell: the median, or why there is none
function cell(k) {
	if (!(k in status)) return "-"
	if (status[k] == "skipped") return "skipped (" note[k] ")"
	if (status[k] != "ok") return "failed"
	return secs(med[k])
}
# a peer cell with its ratio to rhizome at the same point
function vs(k, r) {
	if (!(k in status) || status[k] != "ok" || !(r in status) || status[r] != "ok") return cell(k)
	return sprintf("%s (%.1fx)", secs(med[k]), med[k] / med[r])
}
NR == 1 { next }
{
	k = $1 SUBSEP $3 SUBSEP $4
	status[k] = $13; note[k] = $14; med[k] = $6; runs[k] = $5
	cpu[k] = $9; rss[k] = $10; rt[k] = $11; conn[k] = $12; mn[k] = $7; mx[k] = $8
	tables[$3] = 1; lat[$4] = 1; tool[$1] = 1
}
END {
	nt = asorti(tables, T, "@ind_num_asc"); nl = asorti(lat, L, "@ind_num_asc")
	split("rhizome-schema mydumper mariadb-dump baseline-schema rhizome-data baseline-data", order, " ")

	hk = "rhizome-schema" SUBSEP ht SUBSEP hl
	if (hk in status) {
		printf "## %d ms round trip, %d environments x %d tables\n\n", hl, envs, ht
		print "| tool | job | median | runs | vs rhizome | peak memory | CPU | round trips | connections |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= 6; i++) {
			k = order[i] SUBSEP ht SUBSEP hl
			if (!(k in status)) continue
			job = order[i] ~ /data$/ ? "data" : "schema"
			r = "rhizome-" job SUBSEP ht SUBSEP hl
			ratio = (status[k] == "ok" && (r in status) && status[r] == "ok" && order[i] !~ /^rhizome/) ?
				sprintf("%.1fx slower", med[k] / med[r]) : ""
			if (status[k] != "ok")
				printf "| %s | %s | %s | | | | | | |\n", order[i], job, cell(k)
			else
				printf "| %s | %s | %s | %d | %s | %s | %.2f s | %d | %d |\n", order[i], job,
					secs(med[k]), runs[k], ratio, mb(rss[k]), cpu[k], rt[k], conn[k]
		}
		printf "\nRound-trip floor: %.3f s (schema), %.3f s (data).\n\n", floor_of("schema", hl), floor_of("data", hl)
	}

	print "## sync schema: scaling\n"
	print "Median wall time over the runs; a peer\x27s ratio to rhizome in brackets. Floor: the least round trips the job needs times the round trip. Above 0 ms: rhizome\x27s time minus its time at 0 ms, what the network costs it.\n"
	print "| tables/env | round trip | floor | rhizome | above 0 ms | mydumper | mariadb-dump | baseline |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= nt; i++) for (j = 1; j <= nl; j++) {
		t = T[i]; l = L[j]; r = "rhizome-schema" SUBSEP t SUBSEP l; z = "rhizome-schema" SUBSEP t SUBSEP 0
		above = ((r in status) && status[r] == "ok" && (z in status) && status[z] == "ok" && l > 0) ?
			secs(med[r] - med[z]) : ""
		printf "| %d | %d ms | %.3f s | %s | %s | %s | %s | %s |\n", t, l, floor_of("schema", l), cell(r), above,
			vs("mydumper" SUBSEP t SUBSEP l, r), vs("mariadb-dump" SUBSEP t SUBSEP l, r),
			vs("baseline-schema" SUBSEP t SUBSEP l, r)
	}

	print "\n## sync data: scaling\n"
	print "| tables/env | round trip | floor | rhizome | baseline |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= nt; i++) for (j = 1; j <= nl; j++) {
		t = T[i]; l = L[j]; r = "rhizome-data" SUBSEP t SUBSEP l
		if (!(r in status) && !(("baseline-data" SUBSEP t SUBSEP l) in status)) continue
		printf "| %d | %d ms | %.3f s | %s | %s |\n", t, l, floor_of("data", l), cell(r),
			vs("baseline-data" SUBSEP t SUBSEP l, r)
	}

	print "\n## CPU and memory at the lowest round trip\n"
	printf "User + system CPU per table (%d ms round trip; mariadb-dump: its %d processes together), and peak resident memory.\n\n", L[1], envs
	print "| tables/env | rhizome schema | mydumper | mariadb-dump | baseline | rhizome data | rhizome memory (schema / data) | mydumper memory |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= nt; i++) {
		t = T[i]; line = sprintf("| %d |", t)
		split("rhizome-schema mydumper mariadb-dump baseline-schema rhizome-data", c, " ")
		for (m = 1; m <= 5; m++) {
			k = c[m] SUBSEP t SUBSEP L[1]
			line = line ((k in status && status[k] == "ok") ?
				sprintf(" %.0f us |", cpu[k] * 1e6 / (envs * t)) : " - |")
		}
		a = "rhizome-schema" SUBSEP t SUBSEP L[1]; b = "rhizome-data" SUBSEP t SUBSEP L[1]
		d = "mydumper" SUBSEP t SUBSEP L[1]
		line = line sprintf(" %s / %s | %s |", ok(a) ? mb(rss[a]) : "-", ok(b) ? mb(rss[b]) : "-",
			ok(d) ? mb(rss[d]) : "-")
		print line
	}
}' "$CSV" >"$MD.tmp"
mv "$MD.tmp" "$MD"
cat "$MD"

# ---- the plot -----------------------------------------------------------------
if ! command -v gnuplot >/dev/null; then
	echo "report.sh: gnuplot is not installed: no plot (scripts/deps.sh installs it)" >&2
	exit 0
fi
DAT=$(mktemp /tmp/rhizome-plot.XXXXXX)
trap 'rm -f "$DAT" "$DAT".*' EXIT
# One block per round trip for rhizome and its floor; one per tool at the
# headline round trip: "tables seconds floor".
gawk -F, -v dat="$DAT" -v hl="$HEADLINE_MS" '
NR > 1 && $13 == "ok" && $2 == "schema" {
	if ($1 == "rhizome-schema")
		printf "%s %s %s\n", $3, $6, 2.5 * $4 / 1000 >> (dat ".rtt" $4)
	if ($4 == hl)
		printf "%s %s\n", $3, $6 >> (dat ".tool." $1)
}' "$CSV"
{
	echo "set multiplot layout 1,2"
	echo "set logscale xy; set grid; set key top left; set xrange [70:4500]"
	echo "set xlabel 'tables per environment (7 environments)'; set ylabel 'wall time, s'"
	echo "set title 'rhizome sync schema vs the round-trip floor'"
	plots=() i=1
	for l in $(awk -F, 'NR > 1 { print $4 }' "$CSV" | sort -nu); do
		f=$DAT.rtt$l
		[ -s "$f" ] || continue
		plots+=("'$f' using 1:2 with linespoints lc $i lw 2 title '$l ms'")
		[ "$l" != 0 ] && plots+=("'$f' using 1:3 with lines lc $i dt 2 title '$l ms floor'")
		i=$((i + 1))
	done
	[ ${#plots[@]} -gt 0 ] && echo "plot $(IFS=,; echo "${plots[*]}")"
	echo "set title 'sync schema at $HEADLINE_MS ms round trip'; set key bottom right"
	plots=() i=1
	for tool in rhizome-schema mydumper mariadb-dump baseline-schema; do
		[ -s "$DAT.tool.$tool" ] && plots+=("'$DAT.tool.$tool' using 1:2 with linespoints lc $i lw 2 title '$tool'")
		i=$((i + 1))
	done
	[ ${#plots[@]} -gt 0 ] && echo "plot $(IFS=,; echo "${plots[*]}")"
	echo "unset multiplot"
} >"$DAT.gp"
# The same plot as SVG (for the README) and PNG (for viewers without SVG).
gnuplot -e "set terminal svg size 1100,460 font 'sans,12' background rgb 'white'; set output '$DIR/scaling.svg'" \
	"$DAT.gp" || { echo "report.sh: gnuplot failed" >&2; exit 1; }
gnuplot -e "set terminal pngcairo size 1100,460 font 'sans,10' background rgb 'white'; set output '$DIR/scaling.png'" \
	"$DAT.gp" || { echo "report.sh: gnuplot failed (PNG)" >&2; exit 1; }
echo
echo "report.sh: wrote $MD, $DIR/scaling.svg and $DIR/scaling.png"
