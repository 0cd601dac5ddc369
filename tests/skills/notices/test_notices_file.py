"""``notices.toml``: the notice rules in a file of their own. Found next to the main
configuration file (or named by ``HARK_NOTICES_FILE``), overridden by ``HARK_NOTICES``,
overriding ``notices`` in the main file; every mistake in it is one clear line, from the
settings loader and from the command line; the shipped example is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from hark.cli.main import main
from hark.runtime.notices_file import rules_from_toml
from hark.runtime.settings import load_settings
from hark.store.models import Notice

EXAMPLE = Path(__file__).resolve().parent.parent.parent.parent / "examples" / "notices.toml"


def configs(folder: Path, main_text: str = "", notices: str | None = None) -> Path:
    """A main config file (``hark.toml``) and, if given, ``notices.toml`` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hark.toml").write_text(main_text)
    if notices is not None:
        (folder / "notices.toml").write_text(notices)
    return folder / "hark.toml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    for name in ("HARK_NOTICES", "HARK_NOTICES_FILE", "HARK_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("", "off"),
        ('default = "all"', "all"),
        ("[events]\nback_in_stock = true\norder_delayed = true", "order_delayed,back_in_stock"),
        ('default = "all"\n[events]\ncart_reminder = false\norder_shipped = false', None),
        ("[events]\norder_delayed = false", "off"),
    ],
)
def test_the_file_becomes_the_rules(text: str, rules: str | None) -> None:
    got = rules_from_toml(text)
    if rules is None:  # all but two, in the events' own order
        assert "cart_reminder" not in got and "order_shipped" not in got
        assert got.startswith("order_delayed,order_eta_moved,order_out_for_delivery,")
    else:
        assert got == rules


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[events]\nbirthday = true", "notices.toml: unknown event 'birthday' in [events]"),
        ('[events]\norder_delayed = "yes"', "[events] order_delayed must be true or false"),
        ('default = "some"', 'default must be "off" or "all"'),
        ('events = ["order_delayed"]', "events must be a table"),
        ('rules = "all"', "unknown key 'rules'"),
        ("[events\norder_delayed = true", "notices.toml: not valid TOML"),
    ],
)
def test_a_mistake_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        rules_from_toml(text)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_precedence_env_then_file_then_main_config(tmp_path, monkeypatch) -> None:
    main_file = configs(
        tmp_path / "a", 'notices = "cart_reminder"\n', "[events]\norder_delayed = true\n"
    )
    from_file = load_settings(main_file)
    assert from_file.notices == "order_delayed"  # the file beats the main config's key
    assert from_file.notices_file == tmp_path / "a" / "notices.toml"
    monkeypatch.setenv("HARK_NOTICES", "order_shipped")
    assert load_settings(main_file).notices == "order_shipped"  # the environment beats both
    monkeypatch.delenv("HARK_NOTICES")
    alone = configs(tmp_path / "b", 'notices = "cart_reminder"\n')  # no notices.toml
    assert load_settings(alone).notices == "cart_reminder"
    assert load_settings(alone).notices_file is None
    assert load_settings().notices == "off"  # no main config: no default file either


def test_a_named_file_and_the_main_configs_own_name(tmp_path, monkeypatch) -> None:
    rules = tmp_path / "rules" / "shop-notices.toml"
    rules.parent.mkdir()
    rules.write_text('default = "all"\n[events]\ncart_reminder = false\n')
    monkeypatch.setenv("HARK_NOTICES_FILE", str(rules))
    named = load_settings()
    assert "cart_reminder" not in named.notices and "back_in_stock" in named.notices
    monkeypatch.delenv("HARK_NOTICES_FILE")
    main_file = configs(tmp_path / "c", 'notices_file = "../rules/shop-notices.toml"\n')
    assert load_settings(main_file).notices == named.notices  # relative to the main file
    monkeypatch.setenv("HARK_NOTICES_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(ValidationError) as raised:
        load_settings()
    assert "notices_file" in str(raised.value) and "missing.toml" in str(raised.value)


def test_a_bad_file_stops_even_when_the_environment_wins(tmp_path, monkeypatch) -> None:
    main_file = configs(tmp_path, "", "[events]\norder_dleayed = true\n")
    monkeypatch.setenv("HARK_NOTICES", "all")
    with pytest.raises(ValidationError) as raised:
        load_settings(main_file)
    assert "unknown event 'order_dleayed'" in str(raised.value)


def test_the_command_line_says_one_line(tmp_path, capsys) -> None:
    main_file = configs(tmp_path, "", '[events]\norder_delayed = "sometimes"\n')
    with pytest.raises(SystemExit) as exited:
        main(["config", "--config", str(main_file)])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hark: error: invalid configuration: notices_file:")
    assert "[events] order_delayed must be true or false" in err and "\n" not in err


def test_the_shipped_example_is_valid_and_drives_an_import(tmp_path, db, settings) -> None:
    import shutil

    from skills.notices.test_notices import write_shop

    folder = tmp_path / "conf"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "notices.toml")
    main_file = configs(folder, "")
    loaded = load_settings(main_file)
    assert loaded.notices == rules_from_toml(EXAMPLE.read_text())
    assert "order_delayed" in loaded.notices and "order_shipped" not in loaded.notices

    shop = write_shop(tmp_path / "shop")
    url = settings.effective_database_url
    assert main(["import-shop", str(shop), "--db", url, "--config", str(main_file)]) == 0
    write_shop(shop, {"7002": ("delayed", "2026-12-12"), "9031": ("shipped", "2026-12-01")})
    assert main(["import-shop", str(shop), "--db", url, "--config", str(main_file)]) == 0
    with db.session() as session:
        decided = {n.kind: n.state for n in session.scalars(select(Notice))}
    assert decided == {"order_delayed": "pending", "order_shipped": "done"}  # shipped: off
