"""``hark nlu train|eval``: rebuild the intent classifier with reviewed turns, and measure it.

``train`` assesses every reviewed example not yet assessed (held-out accuracy with
it added; a drop flags it, and a flagged example is left out until a reviewer
confirms it on the Review page), then records a new model: shipped training data
plus the usable reviewed examples. A running server picks it up on its next turn,
with no restart. ``eval`` prints the same before/after figures without changing
anything. The work is :class:`hark.dialogue.nlu_training.Trainer`'s, shared with
the Review page's "Retrain now" button.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nlu",
        help="retrain the intent classifier with reviewed turns, or measure it",
        description="Retrain the intent classifier from the shipped data plus the examples "
        "reviewers labelled (train), or report its accuracy before and after (eval).",
    )
    commands = parser.add_subparsers(dest="nlu_command", metavar="ACTION")
    train = commands.add_parser(
        "train",
        help="rebuild the classifier from shipped plus reviewed examples",
        description="Assess new reviewed examples (a held-out drop flags one), then record a "
        "model built from the shipped data and every unflagged or confirmed example. Running "
        "servers use it from their next turn.",
    )
    evaluate = commands.add_parser(
        "eval",
        help="accuracy on the held-out set and the reviewed examples, before and after",
        description="Print held-out and reviewed-example accuracy of the model in use (before) "
        "and of the one `hark nlu train` would build now (after). Changes nothing.",
    )
    for sub, func in ((train, run_train), (evaluate, run_eval)):
        add_config_argument(sub)
        sub.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
        sub.add_argument(
            "--heldout", type=Path, metavar="FILE", help="held-out JSONL (text, intent per line)"
        )
        sub.add_argument("--json", action="store_true", help="print the report as JSON")
        sub.set_defaults(func=func)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _trainer(args: argparse.Namespace):
    from hark.dialogue.nlu_training import Trainer
    from hark.store.db import open_database

    settings = settings_from_args(args, database_url=args.db)
    if args.heldout is not None and not args.heldout.is_file():
        fail(f"held-out file not found: {args.heldout}")
    db = open_database(settings.effective_database_url)
    try:
        return Trainer(db, args.heldout), db
    except ValueError as exc:
        db.dispose()
        fail(str(exc))
    raise AssertionError("unreachable")


def run_train(args: argparse.Namespace) -> int:
    trainer, db = _trainer(args)
    try:
        report = trainer.evaluate(write=True, trained_by="cli")
    finally:
        db.dispose()
    _print(report, args.json, trained=True)
    return 0


def run_eval(args: argparse.Namespace) -> int:
    trainer, db = _trainer(args)
    try:
        report = trainer.evaluate(write=False)
    finally:
        db.dispose()
    _print(report, args.json, trained=False)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _print(report, as_json: bool, *, trained: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return
    print(f"{'':<34} {'before':>8} {'after':>8}")
    print(
        f"{f'held-out set ({report.heldout_items} lines)':<34} "
        f"{_pct(report.heldout_before):>8} {_pct(report.heldout_after):>8}"
    )
    print(
        f"{f'reviewed examples ({report.reviewed_items})':<34} "
        f"{_pct(report.reviewed_before):>8} {_pct(report.reviewed_after):>8}"
    )
    print(f"reviewed examples used in training: {report.examples_used}")
    for item in report.flagged:
        state = "confirmed, used" if item["confirmed"] else "left out until confirmed"
        delta = item["heldout_delta"]
        change = f"{delta:+.1%}" if isinstance(delta, float) else "?"
        print(
            f"flagged: {item['text']!r} -> {item['intent']} lowers held-out accuracy "
            f"({change}); {state}"
        )
    if trained:
        print(f"model {report.model_id} recorded: running servers use it from their next turn")
