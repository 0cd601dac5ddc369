"""``hark alexa model`` (the skill package) and ``hark alexa link`` (who is asking)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fixtures_alexa import find_alexa, link_alexa
from sqlalchemy import select

from hark.cli.main import main
from hark.integrations.alexa.model import (
    INTENTS_FILE,
    all_samples,
    check_invocation_name,
    number_words,
    spoken,
    write_skill_package,
)
from hark.shop.knowledge import load_products
from hark.store.models import ChannelLink

REQUIRED_BUILTINS = {
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
}


def _intents(model: dict) -> dict[str, dict]:
    return {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}


@pytest.fixture
def package(tmp_path: Path, db) -> tuple[dict, dict]:
    paths = write_skill_package(
        tmp_path / "pkg",
        products=_products(db),
        shop_name="Hark Store",
        invocation_name="hark store",
        endpoint="https://shop.example.com/alexa",
    )
    assert [p.relative_to(tmp_path / "pkg").as_posix() for p in paths] == [
        "skill.json",
        "interactionModels/custom/en-US.json",
    ]
    return json.loads(paths[0].read_text()), json.loads(paths[1].read_text())


def test_the_manifest_points_at_the_endpoint(package) -> None:
    manifest = package[0]["manifest"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"] == "https://shop.example.com/alexa"
    locale = manifest["publishingInformation"]["locales"]["en-US"]
    assert locale["name"] == "Hark Store"
    assert locale["examplePhrases"] == ["Alexa, open hark store"]


def test_the_catch_all_intent_takes_free_speech(package) -> None:
    model = package[1]
    assert model["interactionModel"]["languageModel"]["invocationName"] == "hark store"
    catch_all = _intents(model)["CatchAllIntent"]
    assert catch_all["slots"][0] == {
        "name": "utterance",
        "type": "AMAZON.SearchQuery",
        "samples": ["{utterance}"],
    }
    samples = catch_all["samples"]
    assert "i want to {utterance}" in samples  # from "i want to return my order"
    assert "can i {utterance}" in samples  # from "can i return something"
    # Alexa refuses a sample made only of a phrase slot; each has a carrier phrase.
    assert all(s != "{utterance}" and s.endswith("{utterance}") for s in samples)


def test_required_builtin_intents_are_present(package) -> None:
    assert set(_intents(package[1])) >= REQUIRED_BUILTINS


def test_the_catalog_becomes_a_custom_slot_type(package) -> None:
    model = package[1]
    types = {t["name"]: t for t in model["interactionModel"]["languageModel"]["types"]}
    values = {v["name"]["value"]: v for v in types["SHOP_PRODUCT"]["values"]}
    mug = values["vacuum insulated travel mug sixteen oz"]
    assert mug["id"] == "KIT-1001"
    assert "vacuum insulated travel mug" in mug["name"]["synonyms"]
    assert "kitchen" in values  # categories too
    product_intent = _intents(model)["ProductSearchIntent"]
    assert product_intent["slots"] == [{"name": "product", "type": "SHOP_PRODUCT"}]
    assert "do you have {product}" in product_intent["samples"]


def test_every_sample_uses_only_characters_alexa_accepts(package) -> None:
    samples = list(all_samples(package[1]))
    assert samples
    assert all(re.fullmatch(r"[a-z' .{}]+", s) for s in samples), samples
    assert len(samples) == len(set(samples))
    types = package[1]["interactionModel"]["languageModel"]["types"]
    for value in types[0]["values"]:
        assert re.fullmatch(r"[a-z' .]+", value["name"]["value"]), value


def test_without_nlu_examples_the_model_uses_default_carriers(tmp_path: Path, db) -> None:
    paths = write_skill_package(
        tmp_path / "pkg",
        products=_products(db),
        shop_name="Hark Store",
        invocation_name="hark store",
        intents_file=tmp_path / "missing.json",
    )
    model = json.loads(paths[1].read_text())
    assert "i want {utterance}" in _intents(model)["CatchAllIntent"]["samples"]
    assert "do you have {product}" in _intents(model)["ProductSearchIntent"]["samples"]


def test_an_empty_shop_gives_a_model_without_the_product_intent(tmp_path: Path) -> None:
    paths = write_skill_package(
        tmp_path / "pkg", products=[], shop_name="Hark Store", invocation_name="hark store"
    )
    model = json.loads(paths[1].read_text())
    assert "ProductSearchIntent" not in _intents(model)
    assert model["interactionModel"]["languageModel"]["types"] == []


@pytest.mark.parametrize("name", ["Hark Store", "alexa shop", "shop2go", "my skill", "x"])
def test_invalid_invocation_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_invocation_name(name)


def test_numbers_are_spelled_for_alexa() -> None:
    assert number_words(16) == "sixteen"
    assert number_words(245) == "two hundred forty five"
    assert spoken("Chef's Knife 8 Inch") == "chef's knife eight inch"
    assert spoken("Tea & Coffee-Set (2-pack)") == "tea and coffee set two pack"


def test_the_intents_file_path_is_the_brains(package) -> None:
    assert INTENTS_FILE.parts[-3:] == ("dialogue", "data", "intents.json")


# --- the CLI ----------------------------------------------------------------------------------
@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings) -> str:
    monkeypatch.setenv("HARK_DATA_DIR", str(tmp_path / "cli-data"))
    return settings.effective_database_url


def test_hark_alexa_model_writes_the_package(cli_env: str, db, tmp_path: Path, capsys) -> None:
    out = tmp_path / "skill-package"
    code = main(
        [
            "alexa",
            "model",
            "--out",
            str(out),
            "--endpoint",
            "https://h.example/alexa",
            "--db",
            cli_env,
        ]
    )
    assert code == 0
    manifest = json.loads((out / "skill.json").read_text())
    assert manifest["manifest"]["apis"]["custom"]["endpoint"]["uri"] == "https://h.example/alexa"
    assert (out / "interactionModels" / "custom" / "en-US.json").is_file()
    assert "wrote" in capsys.readouterr().out


def test_hark_alexa_model_refuses_a_plain_http_endpoint(cli_env: str, db, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(
            [
                "alexa",
                "model",
                "--out",
                str(tmp_path),
                "--endpoint",
                "http://x/alexa",
                "--db",
                cli_env,
            ]
        )
    assert info.value.code == 2


def test_hark_alexa_link_stores_and_moves_a_link(cli_env: str, db, capsys) -> None:
    assert main(["alexa", "link", "amzn1.ask.account.ABC", "C001", "--db", cli_env]) == 0
    assert find_alexa(db, access_token=None, user_id="amzn1.ask.account.ABC") == "C001"
    assert main(["alexa", "link", "amzn1.ask.account.ABC", "C002", "--db", cli_env]) == 0
    assert find_alexa(db, access_token=None, user_id="amzn1.ask.account.ABC") == "C002"
    assert "relinked" in capsys.readouterr().out
    with db.session() as session:
        rows = session.scalars(select(ChannelLink).where(ChannelLink.channel == "alexa")).all()
        assert [(r.external_id, r.customer_id) for r in rows] == [("amzn1.ask.account.ABC", "C002")]


def test_hark_alexa_link_refuses_an_unknown_customer(cli_env: str, db, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["alexa", "link", "amzn1.ask.account.ABC", "C999", "--db", cli_env])
    assert info.value.code == 2
    assert "customer not found: C999" in capsys.readouterr().err


def test_an_access_token_link_wins_over_the_user_link(db) -> None:
    link_alexa(db, "amzn1.ask.account.XYZ", "C001")
    link_alexa(db, "token-issued-by-the-shop", "C003", token=True)
    assert (
        find_alexa(db, access_token="token-issued-by-the-shop", user_id="amzn1.ask.account.XYZ")
        == "C003"
    )
    assert find_alexa(db, access_token="unknown-token", user_id="amzn1.ask.account.XYZ") == "C001"
    assert find_alexa(db, access_token=None, user_id="amzn1.ask.account.nobody") is None


def test_long_access_token_is_linked_by_digest_only(db) -> None:
    from sqlalchemy import select

    from hark.store.models import ChannelLink

    token = "eyJ" + "x" * 3000  # JWT-sized bearer token
    assert link_alexa(db, token, "C002", token=True)
    assert find_alexa(db, access_token=token, user_id=None) == "C002"
    assert find_alexa(db, access_token=token + "y", user_id=None) is None
    with db.session() as session:
        stored = list(session.scalars(select(ChannelLink.external_id)))
    assert all(token not in value for value in stored)


def _products(db):
    with db.session() as session:
        return load_products(session)
