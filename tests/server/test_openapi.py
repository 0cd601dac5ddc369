"""``/openapi.json`` is complete enough to generate a client from (Swift, Kotlin, TypeScript).

Every operation has a written summary (not the one FastAPI derives from the
function name), a tag, a 2xx answer whose JSON body is a named schema (or
an explicit no-content, text, HTML or binary answer with its media type),
request bodies that are named schemas, and at least one example; and the
typed client's models declare every field of the schemas they mirror.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import hark.client.events as client_events
import hark.client.models as client_models
import hark.client.models_ops as client_ops

REF = "#/components/schemas/"


@pytest.fixture
def document(make_app) -> dict[str, Any]:
    return make_app().openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def component(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any] | None:
    """The named component ``schema`` is (directly, or as ``X | null``), else None."""
    ref = schema.get("$ref")
    if ref is None:
        refs = [s["$ref"] for s in schema.get("anyOf", []) if "$ref" in s]
        others = [s for s in schema.get("anyOf", []) if "$ref" not in s]
        ref = refs[0] if len(refs) == 1 and others == [{"type": "null"}] else None
    if ref is None or not ref.startswith(REF):
        return None
    return document["components"]["schemas"][ref.removeprefix(REF)]


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    if "example" in media or media.get("examples"):
        return True
    named = component(document, media.get("schema", {}))
    return bool(named and named.get("examples"))


def test_every_operation_is_documented_for_a_client_generator(document) -> None:
    problems: list[str] = []
    found = operations(document)
    assert len(found) >= 35  # every router is in (conversations, voice, admin, kiosk, ...)
    for method, path, op in found:
        where = f"{method} {path}"
        summary = op.get("summary", "")
        # FastAPI's own summary, when none is written, is the function name in title case.
        generated = " ".join(op["operationId"].split("_")).title()
        if not summary or generated.startswith(summary):
            problems.append(f"{where}: no written summary")
        if not op.get("tags"):
            problems.append(f"{where}: no tag")
        examples = False
        answers = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not answers:
            problems.append(f"{where}: no 2xx answer")
        for code, answer in answers.items():
            content = answer.get("content")
            if not content:
                if code != "204":
                    problems.append(f"{where}: {code} without a body is not a 204")
                examples = True  # nothing to show
                continue
            for media_type, media in content.items():
                schema = media.get("schema", {})
                if media_type == "application/json":
                    if component(document, schema) is None:
                        problems.append(f"{where}: {code} JSON body is not a named schema")
                elif schema.get("type") != "string":
                    problems.append(f"{where}: {code} {media_type} is not declared as text/bytes")
                examples = examples or has_example(document, media)
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            schema = media.get("schema", {})
            inline_named = schema.get("type") == "object" and schema.get("title")
            if component(document, schema) is None and not inline_named:
                problems.append(f"{where}: the {media_type} request body is not a named schema")
            examples = examples or has_example(document, media) or bool(schema.get("examples"))
        if not examples:
            problems.append(f"{where}: no example")
    assert not problems, "\n".join(problems)


def test_every_named_schema_shows_an_example_or_is_part_of_one(document) -> None:
    """Top-level answers carry examples; parts (a card, a cart line) are shown inside them."""
    schemas = document["components"]["schemas"]
    used_as_answer = {
        media["schema"]["$ref"].removeprefix(REF)
        for _, _, op in operations(document)
        for code, answer in op["responses"].items()
        if code.startswith("2")
        for media in answer.get("content", {}).values()
        if "$ref" in media.get("schema", {})
    }
    assert used_as_answer  # the walk found them
    missing = sorted(name for name in used_as_answer if not schemas[name].get("examples"))
    assert not missing, missing


@pytest.mark.parametrize(
    ("client_model", "schema_name"),
    [
        (client_models.Started, "Started"),
        (client_models.Turn, "TurnOut"),
        (client_models.Card, "CardOut"),
        (client_models.Cart, "CartOut"),
        (client_models.CartLine, "CartLineOut"),
        (client_models.Transcript, "Transcript"),
        (client_models.TranscriptTurn, "TranscriptTurn"),
        (client_models.Ticket, "TicketOut"),
        (client_models.Health, "Health"),
        (client_models.Readiness, "Readiness"),
        (client_models.EngineState, "EngineState"),
        (client_models.Handoff, "Handoff"),
        (client_models.HandoffDelivery, "HandoffDelivery"),
        (client_models.Analytics, "Analytics"),
        (client_models.ConversationSummary, "ConversationRow"),
        (client_models.ReviewQueue, "ReviewQueue"),
        (client_models.ReviewItem, "ReviewItem"),
        (client_models.LabelledExample, "LabelledExample"),
        (client_models.NluModelInfo, "NluModelInfo"),
        (client_models.TrainingReport, "TrainingReport"),
        (client_models.CustomerExport, "CustomerExport"),
        (client_models.Erased, "Erased"),
        (client_models.Purged, "Purged"),
        (client_models.NodeLoad, "NodeLoad"),
        (client_ops.ConversationCart, "CartResponse"),
        (client_ops.Lockout, "Lockout"),
        (client_ops.LockoutCleared, "LockoutCleared"),
        (client_ops.OrderUpserted, "OrderUpserted"),
        (client_ops.Notice, "Notice"),
        (client_ops.NoticeSend, "NoticeSend"),
        (client_ops.NoticeLedger, "NoticeLedger"),
        (client_ops.NoticeDay, "NoticeDay"),
        (client_ops.Consent, "Consent"),
        (client_ops.ConsentEntry, "ConsentEntry"),
        (client_ops.Nodes, "NodeList"),
        (client_ops.NodeEntry, "NodeEntry"),
    ],
)
def test_the_client_declares_every_documented_field(
    document, client_model: type[BaseModel], schema_name: str
) -> None:
    schema = document["components"]["schemas"][schema_name]
    assert set(client_model.model_fields) == set(schema["properties"]), schema_name


def test_the_client_knows_every_voice_event_of_the_protocol() -> None:
    """The event types the server can send (its own protocol models) are the client's."""
    from hark.voice import protocol

    server_types = {
        cls.model_fields["type"].default
        for cls in vars(protocol).values()
        if isinstance(cls, type)
        and issubclass(cls, protocol.ServerEvent)
        and cls is not protocol.ServerEvent
    }
    assert server_types == set(client_events.EVENT_TYPES)
    for cls in vars(protocol).values():
        if isinstance(cls, type) and issubclass(cls, protocol.ServerEvent):
            if cls is protocol.ServerEvent:
                continue
            kind = cls.model_fields["type"].default
            mine = next(
                c
                for c in vars(client_events).values()
                if isinstance(c, type)
                and issubclass(c, BaseModel)
                and "type" in c.model_fields
                and c.model_fields["type"].default == kind
            )
            assert set(mine.model_fields) == set(cls.model_fields), kind
