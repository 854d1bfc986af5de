#!/usr/bin/python3
"""PrintHA bench probes for the failover benchmarks (bench/failover.ts). Standard library only.

Run inside a lab namespace (the bench passes this file to `python3 -c`, so nodes do not need to
see the work tree). Every time is the host's wall clock (time.time()), shared by all namespaces.
Prints "ready" on the first line once it is measuring, then one JSON document.

  client HOST PORT SECONDS   from pha-client, two clients at once for SECONDS:
      seq: a print client that retries: connect (1 s timeout), read the first line (1 s), close,
           sleep 20 ms, again. Its failures are "failed client connections at 20 ms polling".
      par: a new attempt every 20 ms whatever the others do (each 1 s timeout): the first one
           that succeeds after the VIP moved says when the VIP answered again.
      -> {"seq": [[start, end, ok], ...], "par": [[start, end, ok], ...]}
  vip-wait ADDR TIMEOUT       in a balancer: the time ADDR becomes a local address of this node
      (polls /proc/net/fib_trie every 5 ms) -> {"t": seconds | null}
  hastate TIMEOUT UNTIL SOCK:BACKEND[:SERVER,...] ...
      in a balancer: polls `show servers state` on each HAProxy admin socket every 50 ms and
      records every change of a server's operational state (0 DOWN, 1 starting = slow start,
      2 UP, 3 stopping). Ends when every listed server is DOWN (UNTIL=down), out of DOWN
      (UNTIL=up) or fully UP after its warm-up (UNTIL=full), or at TIMEOUT.
      -> {"events": [[t, "SOCK", "BACKEND", "SERVER", state], ...], "done": bool}
"""
import asyncio
import json
import re
import socket
import sys
import time

INTERVAL = 0.02
TIMEOUT = 1.0


async def attempt(host: str, port: int) -> list:
    t0 = time.time()
    ok = False
    w = None
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), TIMEOUT)
        line = await asyncio.wait_for(r.readline(), TIMEOUT)
        ok = bool(line)
    except (OSError, asyncio.TimeoutError):
        ok = False
    finally:
        if w is not None:
            try:
                w.close()
            except OSError:
                pass
    return [round(t0, 4), round(time.time(), 4), ok]


async def client(host: str, port: int, seconds: float) -> dict:
    end = time.time() + seconds
    seq: list = []
    par_tasks: list = []

    async def sequential() -> None:
        while time.time() < end:
            seq.append(await attempt(host, port))
            await asyncio.sleep(INTERVAL)

    async def parallel() -> None:
        while time.time() < end:
            par_tasks.append(asyncio.ensure_future(attempt(host, port)))
            await asyncio.sleep(INTERVAL)

    print("ready", flush=True)
    await asyncio.gather(sequential(), parallel())
    par = await asyncio.gather(*par_tasks)
    return {"seq": seq, "par": list(par)}


def vip_wait(addr: str, timeout: float) -> dict:
    pat = re.compile(r"\|-- " + re.escape(addr) + r"\n\s+/32 host LOCAL")
    print("ready", flush=True)
    end = time.time() + timeout
    while time.time() < end:
        with open("/proc/net/fib_trie", encoding="ascii") as f:
            if pat.search(f.read()):
                return {"t": round(time.time(), 4)}
        time.sleep(0.005)
    return {"t": None}


def show_state(sock: str, backend: str) -> dict:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(sock)
        s.sendall(f"show servers state {backend}\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    out = {}
    for line in data.decode(errors="replace").splitlines():
        f = line.split(" ")
        if len(f) > 5 and f[0].isdigit():
            out[f[3]] = int(f[5])
    return out


def hastate(timeout: float, until: str, specs: list) -> dict:
    targets = []
    for spec in specs:
        sock, backend, *rest = spec.split(":")
        names = rest[0].split(",") if rest and rest[0] else None
        targets.append((sock, backend, names))
    last: dict = {}
    events: list = []
    print("ready", flush=True)
    end = time.time() + timeout
    done = False
    while time.time() < end:
        now = time.time()
        states = []
        for sock, backend, names in targets:
            st = show_state(sock, backend)
            for name, op in st.items():
                if names is not None and name not in names:
                    continue
                key = (sock, backend, name)
                if last.get(key) != op:
                    events.append([round(now, 4), sock, backend, name, op])
                    last[key] = op
                states.append(op)
        if states and (
            (until == "down" and all(op == 0 for op in states))
            or (until == "up" and all(op != 0 for op in states))
            or (until == "full" and all(op == 2 for op in states))
        ):
            done = True
            break
        time.sleep(0.05)
    return {"events": events, "done": done}


def main(argv: list) -> None:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmd = argv[1]
    if cmd == "client":
        res = asyncio.run(client(argv[2], int(argv[3]), float(argv[4])))
    elif cmd == "vip-wait":
        res = vip_wait(argv[2], float(argv[3]))
    elif cmd == "hastate":
        res = hastate(float(argv[2]), argv[3], argv[4:])
    else:
        print(f"unknown probe {cmd}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main(sys.argv)
