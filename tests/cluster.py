"""Two ``hark serve`` nodes behind a real nginx, as close to two hosts as one machine gets.

Each node is a real ``hark serve`` process with the same settings (one
PostgreSQL, one Redis, one ``HARK_SECRET_KEY``). Where the tests may make
network namespaces (they run as root and ``ip netns`` works), each node runs in
its own namespace with its own address on a veth pair, reachable only through
that link, like a host on a LAN; it reaches PostgreSQL and Redis through their
Unix sockets (a file, which every namespace on this machine can open). Otherwise
the nodes listen on loopback ports. nginx from Debian balances round-robin, with
WebSocket upgrade, and names the node that answered in ``X-Hark-Upstream``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from support.ports import free_port

START_TIMEOUT_S = 90
UPSTREAM_HEADER = "x-hark-upstream"


def stop_process(process: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    """Ask a server we started to stop (``how``), and kill it if it hasn't in 10 s."""
    process.send_signal(how)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@dataclass
class Host:
    """Where one node listens: its own network namespace and address, or loopback."""

    address: str
    netns: str | None = None

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else argv

    def remove(self) -> None:
        if self.netns:  # deleting the namespace deletes its end of the pair, and so the pair
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True, timeout=10)


def make_hosts(count: int, *, namespaces: bool = True) -> tuple[list[Host], str]:
    """``count`` hosts and how they were made (``network namespaces`` or ``loopback``)."""
    if not namespaces or os.geteuid() != 0 or shutil.which("ip") is None:
        return [Host("127.0.0.1") for _ in range(count)], "loopback"
    tag = os.getpid() % 100000
    subnet = 20 + os.getpid() % 200  # 10.213.<subnet>.0/24, split in /30 links, one per node
    hosts: list[Host] = []
    try:
        for index in range(count):
            name, outside, inside = f"hark{tag}n{index}", f"hk{tag}a{index}", f"hk{tag}b{index}"
            near, far = f"10.213.{subnet}.{4 * index + 1}", f"10.213.{subnet}.{4 * index + 2}"
            _ip("netns", "add", name)
            hosts.append(Host(far, name))
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", name)
            _ip("addr", "add", f"{near}/30", "dev", outside)
            _ip("link", "set", outside, "up")
            _ip("-n", name, "addr", "add", f"{far}/30", "dev", inside)
            _ip("-n", name, "link", "set", inside, "up")
            _ip("-n", name, "link", "set", "lo", "up")
    except (subprocess.CalledProcessError, OSError):
        for host in hosts:
            host.remove()
        return [Host("127.0.0.1") for _ in range(count)], "loopback"
    return hosts, "network namespaces"


@dataclass
class Node:
    """One ``hark serve`` process (started, killed, restarted by the tests)."""

    name: str
    host: Host
    env: dict[str, str]
    root: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host.address}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host.address}:{self.port}"

    @property
    def upstream(self) -> str:
        """How nginx names this node in ``X-Hark-Upstream``."""
        return f"{self.host.address}:{self.port}"

    def start(self) -> None:
        self.runs += 1
        env = {**self.env, "HARK_HOST": self.host.address, "HARK_PORT": str(self.port)}
        env["HARK_DATA_DIR"] = str(self.root / self.name)
        hark = Path(sys.executable).with_name("hark")
        log = (self.root / f"{self.name}-{self.runs}.log").open("wb")
        self.process = subprocess.Popen(
            self.host.command([str(hark), "serve"]), env=env, stdout=log, stderr=log
        )
        log.close()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        path = self.root / f"{self.name}-{self.runs}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


NGINX_CONF = """\
worker_processes 1;
daemon off;
user root;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream hark {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hark;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 600s;
            proxy_connect_timeout 2s;
            add_header X-Hark-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@dataclass
class Balancer:
    """nginx, round-robin over the nodes, in its own prefix folder on a free loopback port."""

    root: Path
    upstreams: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx not found: run `make test` (it installs Debian's nginx)")
        self.root.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            f"        server {u} max_fails=1 fail_timeout=2s;" for u in self.upstreams
        )
        conf = self.root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=self.root, servers=servers, port=self.port))
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.root), "-c", str(conf), "-e", str(self.root / "stderr.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        error_log = self.root / "nginx-error.log"
        tail = error_log.read_text(errors="replace")[-2000:] if error_log.exists() else ""
        raise RuntimeError(f"nginx did not start:\n{tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process(self.process, signal.SIGQUIT)  # nginx's graceful stop
