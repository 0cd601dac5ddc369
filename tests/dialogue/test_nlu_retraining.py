"""The review loop: a turn the NLU got wrong is reviewed, ``hark nlu train`` runs as its own
process, and the running server answers differently on its next turn, with no restart.

Real parts: the app under uvicorn on loopback on a SQLite file, the admin JSON API, and
the ``hark`` command line in a subprocess on the same database file.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
from sqlalchemy import select

from hark.dialogue.nlu_training import Trainer
from hark.store.models import NluExample, NluModel, Turn

LINE = "can i bring my dog to the shop"


def user_intent(db, conversation_id: str) -> str | None:
    with db.session() as session:
        return session.scalars(
            select(Turn.intent)
            .where(Turn.conversation_id == conversation_id, Turn.role == "user")
            .order_by(Turn.seq.desc())
        ).first()


def say(http: httpx.Client, text: str) -> tuple[str, dict]:
    conversation = http.post("/v1/conversations", json={"channel": "web"}).json()
    turn = http.post(
        f"/v1/conversations/{conversation['conversation_id']}/turns", json={"text": text}
    )
    assert turn.status_code == 200, turn.text
    return conversation["conversation_id"], turn.json()


def test_a_reviewed_example_changes_the_answer_after_train_without_a_restart(
    make_app, live_server, db, settings
) -> None:
    server = live_server(make_app())
    with httpx.Client(base_url=server.url, timeout=60) as http:
        before_id, _ = say(http, LINE)
        assert user_intent(db, before_id) == "out_of_scope"

        queue = http.get("/v1/admin/review").json()
        (item,) = [t for t in queue["turns"] if t["conversation_id"] == before_id]
        assert item["chosen_intent"] == "out_of_scope" and item["text"] == LINE
        assert {"unsure", "not_understood"} & set(item["reasons"])
        labelled = http.post(f"/v1/admin/review/{item['turn_id']}", json={"intent": "faq"})
        assert labelled.status_code == 200, labelled.text
        example = labelled.json()
        assert example["intent"] == "faq" and example["heldout_delta"] is not None
        assert example["flagged"] is False  # it doesn't cost held-out accuracy
        assert not [
            t
            for t in http.get("/v1/admin/review").json()["turns"]
            if t["turn_id"] == item["turn_id"]
        ]

        # Reviewed but not yet trained on: the running server still answers as before.
        still_id, _ = say(http, LINE)
        assert user_intent(db, still_id) == "out_of_scope"

        trained = subprocess.run(
            [sys.executable, "-m", "hark.cli", "nlu", "train", "--db", db.url],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert trained.returncode == 0, trained.stderr
        assert "held-out set" in trained.stdout and "model 1 recorded" in trained.stdout

        after_id, _ = say(http, LINE)  # the same server process, not restarted
        assert user_intent(db, after_id) == "faq"

    evaluated = subprocess.run(
        [sys.executable, "-m", "hark.cli", "nlu", "eval", "--db", db.url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    lines = {line.split("  ")[0]: line.split()[-2:] for line in evaluated.stdout.splitlines()[1:3]}
    (reviewed,) = [v for k, v in lines.items() if k.startswith("reviewed examples (1)")]
    assert reviewed == ["100.0%", "100.0%"]  # in use now, and still after
    with db.session() as session:
        (model,) = session.scalars(select(NluModel)).all()
        assert model.examples == 1 and model.reviewed_before == 0.0 and model.reviewed_after == 1.0


def test_an_example_that_lowers_held_out_accuracy_is_flagged_and_left_out(db) -> None:
    """A wrong label ("do you have any headphones" as goodbye) costs a held-out line."""
    from hark.dialogue.manager import DialogueManager
    from hark.runtime.settings import load_settings

    dialogue = DialogueManager(db, load_settings(load_sample_shop=False))
    conversation_id, _ = dialogue.start_conversation("web")
    dialogue.turn(conversation_id, "do you have any headphones")
    with db.session() as session:
        turn = session.scalars(select(Turn).where(Turn.role == "user")).one()
        session.add(
            NluExample(
                turn_id=turn.id, conversation_id=conversation_id, text=turn.text,
                chosen_intent=turn.intent, intent="goodbye", reviewer="test",
            )
        )  # fmt: skip
    report = Trainer(db).evaluate(write=True, trained_by="test")
    (assessed,) = report.assessed
    assert assessed.flagged and assessed.heldout_delta < 0
    assert report.examples_used == 0 and report.flagged[0]["text"] == "do you have any headphones"
    assert report.heldout_after == report.heldout_before  # left out: nothing lost
