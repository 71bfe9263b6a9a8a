#!/bin/sh
# The demo's last year and this year's plan (issue 4): last year's won deals
# of the ten demo reps, imported from generated CSV files with
# `pace import`, a few open deals of this year (the reserve), then the
# director applies a plan of ¥20,000,000 for the current year, weighted by
# that history (docs/targets.md), so a newcomer sees a real plan at once.
#
# Amounts: the script counts in fen (integers, exact), but writes the CSV
# cells in yuan with two decimals ("26000.00"), which is what `pace import`
# reads (client/lib/pc_money.h: "26000" is ¥26,000, i.e. 2600000 fen).
# Last year's total is about Σ strength × ¥10,000: ¥13.9 million, against
# this year's plan of ¥20 million.
#
# Expects $PACE and $PACE_SERVER like seed.sh, after seed.sh created the
# people, with the admin logged in; leaves the admin logged in again. YEAR
# (default: this year) is the plan's year; its previous year is the history.
# Deterministic: the same YEAR gives the same files, and importing them
# twice stores nothing twice. When the year already has a plan (a re-run on
# the same server) nothing is imported or planned again.
set -eu
: "${PACE:?}" "${PACE_SERVER:?}"
year=${YEAR:-$(date +%Y)}
last=$((year - 1))

# A re-run on a server that has the plan already: leave it (and the history
# it was computed from) as it is.
planned=$($PACE --json target show --org --period "$year" |
	sed -n 's/.*"amount":[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -1)
if [ -n "$planned" ]; then
	echo "history: $year already has a plan; nothing imported or planned"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# login, name, hired, strength (how much they sold last year, in ¥10,000s
# over the year). New hires have none: their ramp shows in the plan.
cat >"$tmp/reps" <<'REPS'
zhangsan 张三 2021-04-01 260
lisi 李四 2022-07-11 180
wangwu 王五 2023-09-01 140
zhaoliu 赵六 2024-03-18 120
qianqi 钱七 2026-08-01 0
sunba 孙八 2020-11-02 300
zhoujiu 周九 2022-05-16 170
wushi 吴十 2023-01-09 130
zhengyi 郑一 2025-06-30 90
fenger 冯二 2026-10-12 0
REPS

# Last year's won deals: every rep sells in the months after their hire
# date, more towards the year's end (a typical seasonality: Q4 closes). The
# month weights add up to 100; a rep's year is split over the months they
# worked, in one deal a month (two in the busier months).
awk -v last="$last" -v year="$year" '
BEGIN {
	split("5 5 8 7 8 9 7 7 9 10 11 14", w, " ")
	srand(20260101)
	print "name,industry,size_band,region,owner,at" > "'"$tmp"'/customers.csv"
	print "title,customer,amount,stage,expected_close,source,product_line,owner,at,closed_at,loss_reason" > "'"$tmp"'/deals.csv"
	split("制造 零售 金融 物流 医疗 教育", ind, " ")
	split("large medium small", size, " ")
	sum = 0
}
# fen (an integer) as yuan with two decimals, the way pace import reads money
function yuan(f) {
	return sprintf("%d.%02d", int(f / 100), f % 100)
}
# and with thousands separators, for people
function grouped(f,   y, g) {
	y = int(f / 100)
	g = ""
	for (; y >= 1000; y = int(y / 1000))
		g = sprintf(",%03d", y % 1000) g
	return sprintf("%d%s.%02d", y, g, f % 100)
}
{
	login = $1; name = $2; hired = $3; strength = $4
	for (c = 1; c <= 3; c++) {
		cust = name "的客户" c
		printf "%s,%s,%s,%s,%s,\n", cust, ind[(NR + c) % 6 + 1],
			size[c], "华北", login >> "'"$tmp"'/customers.csv"
	}
	if (strength == 0)
		next
	# months worked last year
	split(hired, h, "-")
	first = (h[1] < last) ? 1 : (h[1] == last ? h[2] + 0 : 13)
	total = 0
	for (m = first; m <= 12; m++)
		total += w[m]
	for (m = first; m <= 12; m++) {
		# ¥10,000s of this month, in fen, split into one or two deals
		fen = int(strength * 1000000 * w[m] / total)
		n = (w[m] >= 9) ? 2 : 1
		for (k = 1; k <= n; k++) {
			amount = int(fen / n)
			sum += amount
			day = 3 + int(rand() * 20)
			created = sprintf("%d-%02d-%02d", last, m, 1)
			closed = sprintf("%d-%02d-%02d", last, m, day)
			printf "%s %d-%02d-%d,%s的客户%d,%s,won,,demo,%s,%s,%s,%s,\n",
				name, last, m, k, name, (m + k) % 3 + 1, yuan(amount),
				(k == 1 ? "SaaS" : "服务"), login, created, closed \
				>> "'"$tmp"'/deals.raw"
		}
	}
	# This year: a few open deals (the reserve the plan weighs), each
	# k × 5% of last year (in fen).
	stages[1] = "qualified"; stages[2] = "proposal"; stages[3] = "negotiation"
	for (k = 1; k <= 3; k++) {
		amount = int(strength * 1000000 * k / 20)
		printf "%s %d 商机%d,%s的客户%d,%s,%s,%d-12-31,demo,SaaS,%s,recent,,\n",
			name, year, k, name, k, yuan(amount), stages[k], year, login \
			>> "'"$tmp"'/deals.raw"
	}
}
END { print grouped(sum) > "'"$tmp"'/total" }' "$tmp/reps"

# Dates to ISO 8601 times in Shanghai (created 09:00, closed 16:00); open
# deals were created three weeks ago.
recent=$(date -d "21 days ago" +%Y-%m-%d)
while IFS=, read -r title cust amount stage close src line owner at closed reason; do
	[ "$at" = recent ] && at=$recent
	at="${at}T09:00:00+08:00"
	[ -n "$closed" ] && closed="${closed}T16:00:00+08:00"
	echo "$title,$cust,$amount,$stage,$close,$src,$line,$owner,$at,$closed,$reason"
done <"$tmp/deals.raw" >>"$tmp/deals.csv"

# History is older than the default 90-day window: widen it for the import,
# then put it back.
$PACE admin org set backfill_days 800 >/dev/null
$PACE import customers "$tmp/customers.csv" >/dev/null
$PACE import deals "$tmp/deals.csv" >/dev/null
$PACE admin org set backfill_days 90 >/dev/null

# The director plans the year: ¥20,000,000 over the ten reps. Then the
# admin's session again, as seed.sh left it.
echo "pace-demo" | $PACE login wangzong --password-stdin >/dev/null
$PACE target plan --year "$year" --total 20000000 --apply >/dev/null
echo "pace-admin-demo" | $PACE login admin --password-stdin >/dev/null
echo "history: $(($(wc -l <"$tmp/deals.csv") - 1)) deals imported" \
	"(¥$(cat "$tmp/total") won in $last);" \
	"plan for $year applied: ¥20,000,000 over 10 reps"
