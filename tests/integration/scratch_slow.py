import socket, time, urllib.request
import wire
from kpi_org import PASSWORD, KpiOrg, make, next_push, scope
from wire import expect

def test_x(paced_factory):
    srv = paced_factory(extra=("--outbuf-hard-bytes", "32768", "--outbuf-soft-bytes", "32768", "--push-coalesce-ms", "0",
                               "--max-subscriptions-per-client", "64", "--rate-limit-rps", "0",
                               "--metrics-listen", "127.0.0.1:39991"))
    org = KpiOrg(srv, offices=[("HQ", "")], teams=[("A", "HQ")],
                 people=[("ma", "MANAGER", "A", {}), ("r1", "REP", "A", {})])
    slow = wire.Client(srv.port)
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    expect(slow.hello(), "welcome")
    expect(slow.login(org.login("ma"), PASSWORD), "login_ok")
    for p in ["2026", "2026Q4", "2026-11", "2026-W48", "2026-11-27", ""]:
        expect(slow.call(make("subscribe", scope=scope("team"), period=p)), "subscribed")
    cust = org.customer("r1", "Busy Co")
    t0 = time.monotonic()
    import subprocess
    for i in range(1500):
        org.activity("r1", "call", cust, 0)
        if i % 300 == 0:
            print(i, subprocess.run("ss -tmni dport = :%d or sport = :%d" % (srv.port, srv.port), shell=True, capture_output=True, text=True).stdout[-1500:])
    print("writes in", time.monotonic() - t0)
    time.sleep(1)
    m = urllib.request.urlopen("http://127.0.0.1:39991/metrics").read().decode()
    print("\n".join(l for l in m.splitlines() if "push" in l or "slow" in l or "outq" in l))
    print(srv.log_matches("too far"))
