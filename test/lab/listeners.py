#!/usr/bin/python3
"""PrintHA lab: one process that listens on every TCP port the product profiles balance.

Installed in print-server nodes as /usr/local/bin/printha-lab-listen and started by the
systemctl shim as unit `listeners`. On connect it sends one line, "<hostname> <port>\\n"
(for example "pha-ps1 515"), then reads and discards what the client sends until the client
closes or 10 s pass without data, and closes. Health checks (connect, half-open, tcp-check
expect) and "which server answered me?" checks both work against it.

Usage: printha-lab-listen PORTS_FILE [READY_FILE]
  PORTS_FILE: whitespace-separated ports or ranges like 5011-5025; READY_FILE is created once
  every port is bound.
"""
import asyncio
import socket
import sys

IDLE_SECONDS = 10


def parse_ports(text: str) -> list[int]:
    ports: set[int] = set()
    for tok in text.split():
        if tok.startswith("#"):
            continue
        if "-" in tok:
            a, b = tok.split("-", 1)
            lo, hi = int(a), int(b)
            if not (1 <= lo <= hi <= 65535):
                raise ValueError(f"bad port range {tok}")
            ports.update(range(lo, hi + 1))
        else:
            p = int(tok)
            if not 1 <= p <= 65535:
                raise ValueError(f"bad port {tok}")
            ports.add(p)
    return sorted(ports)


async def main(ports_file: str, ready_file: str | None) -> None:
    with open(ports_file, encoding="utf-8") as f:
        ports = parse_ports(" ".join(line.split("#", 1)[0] for line in f))
    name = socket.gethostname()

    def handler_for(port: int):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                writer.write(f"{name} {port}\n".encode())
                await writer.drain()
                while True:
                    data = await asyncio.wait_for(reader.read(65536), IDLE_SECONDS)
                    if not data:
                        break
            except (asyncio.TimeoutError, ConnectionError, OSError):
                pass
            finally:
                try:
                    writer.close()
                except OSError:
                    pass

        return handle

    servers = []
    for port in ports:
        servers.append(await asyncio.start_server(handler_for(port), host="0.0.0.0", port=port, reuse_address=True))
    print(f"{name}: listening on {len(ports)} TCP ports: {' '.join(map(str, ports))}", flush=True)
    if ready_file:
        with open(ready_file, "w", encoding="utf-8") as f:
            f.write(f"{len(ports)}\n")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print("usage: printha-lab-listen PORTS_FILE [READY_FILE]", file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None))
    except KeyboardInterrupt:
        pass
