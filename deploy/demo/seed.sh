#!/bin/sh
# Seeds the demo organisation through the pace CLI: offices 北京 and 上海,
# two teams, a director, two managers and ten reps (as the demo admin); then
# last year's history and this year's plan (history.sh), then the last two
# months of sales, the year's earlier months more lightly, and the current
# month up to now (seed_sales.py:
# activities, deals, payments, so that the KPIs, leaderboard, funnel and
# alerts have something to show, this month's default views too). Expects
# $PACE (the pace binary) and $PACE_SERVER, and python3 (standard library
# only).
#
# Ends logged in as 张三 (zhangsan, a rep of 北京一组), the session the
# quickstart shows. Safe to run again on the same server: people that exist
# are not added again, history.sh leaves a year that has a plan alone, and
# seed_sales.py skips months it has seeded before (and a current month that
# has sales).
set -eu
: "${PACE:?}" "${PACE_SERVER:?}"
here=$(dirname "$0")
pw=pace-demo

echo "pace-admin-demo" | $PACE login admin --password-stdin >/dev/null
if $PACE admin user list | grep -qw wangzong; then
	echo "seeded already: the demo team is there"
else
	$PACE admin office add 北京 --region 华北 >/dev/null
	$PACE admin office add 上海 --region 华东 >/dev/null
	echo $pw | $PACE admin user add wangzong --name 王总 --role director \
		--password-stdin --hired 2019-03-01 >/dev/null
	$PACE admin team add 北京一组 --office 北京 >/dev/null
	$PACE admin team add 上海一组 --office 上海 >/dev/null
	echo $pw | $PACE admin user add zhaoli --name 赵丽 --role manager \
		--team 北京一组 --password-stdin --hired 2020-06-15 --region 华北 >/dev/null
	echo $pw | $PACE admin user add sunqiang --name 孙强 --role manager \
		--team 上海一组 --password-stdin --hired 2021-02-01 --region 华东 >/dev/null

	# login name team hired region
	while read -r login name team hired region; do
		echo $pw | $PACE admin user add "$login" --name "$name" --role rep \
			--team "$team" --hired "$hired" --region "$region" \
			--password-stdin >/dev/null
	done <<'REPS'
zhangsan 张三 北京一组 2021-04-01 北京
lisi 李四 北京一组 2022-07-11 天津
wangwu 王五 北京一组 2023-09-01 河北
zhaoliu 赵六 北京一组 2024-03-18 北京
qianqi 钱七 北京一组 2026-08-01 山东
sunba 孙八 上海一组 2020-11-02 上海
zhoujiu 周九 上海一组 2022-05-16 江苏
wushi 吴十 上海一组 2023-01-09 浙江
zhengyi 郑一 上海一组 2025-06-30 上海
fenger 冯二 上海一组 2026-10-12 安徽
REPS
	echo "seeded: 2 offices, 2 teams, 1 director, 2 managers, 10 reps"
fi

# Last year's history and this year's plan of ¥20,000,000 (issue 4); it
# starts and ends with the admin logged in.
sh "$here/history.sh"

# The last two months of sales, which follow that plan, the year's earlier
# months (a lighter history, for the year view), and this month so far (by
# the server's clock; never a time after now).
python3 "$here/seed_sales.py"

# Deliberately the quickstart's session: 张三.
echo $pw | $PACE login zhangsan --password-stdin >/dev/null
echo "logged in as zhangsan (张三)"
