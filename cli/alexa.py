"""``hark alexa model`` and ``hark alexa link``: set up the Alexa skill.

``model`` writes the skill package (manifest + interaction model) from the
shop and the NLU phrases, ready for ``ask deploy``; ``link`` ties an Alexa
userId (or an account-linking access token) to a shop customer so the
skill knows who is asking.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hark.cli.common import add_config_argument, fail, settings_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "alexa",
        help="Alexa skill: write the skill package, link Alexa users to customers",
        description="Alexa custom skill helpers.",
    )
    commands = parser.add_subparsers(dest="alexa_command", metavar="ACTION")

    model = commands.add_parser(
        "model",
        help="write skill.json and interactionModels/custom/en-US.json",
        description="Write the Alexa skill package (skill.json and the en-US interaction "
        "model) from the shop's catalog and the NLU phrases, ready for `ask deploy`.",
    )
    add_config_argument(model)
    model.add_argument(
        "--out", metavar="DIR", default="skill-package", help="output folder (default: %(default)s)"
    )
    model.add_argument(
        "--endpoint",
        metavar="URL",
        help="public HTTPS URL of POST /alexa (default: a placeholder to edit)",
    )
    model.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    model.set_defaults(func=run_model)

    link = commands.add_parser(
        "link",
        help="link an Alexa userId (or access token) to a customer",
        description="Store a ChannelLink so requests from this Alexa user are answered as "
        "CUSTOMER_ID. With --token, USER_ID is an account-linking access token instead.",
    )
    add_config_argument(link)
    link.add_argument("user_id", metavar="USER_ID", help="Alexa userId (amzn1.ask.account...)")
    link.add_argument("customer_id", metavar="CUSTOMER_ID", help="shop customer id, e.g. C001")
    link.add_argument(
        "--token", action="store_true", help="USER_ID is an account-linking access token"
    )
    link.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    link.set_defaults(func=run_link)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_model(args: argparse.Namespace) -> int:
    from hark.integrations.alexa.model import ENDPOINT_PLACEHOLDER, write_skill_package
    from hark.server.services import prepare_database
    from hark.shop.knowledge import load_products

    settings = settings_from_args(args, database_url=args.db)
    endpoint = args.endpoint or ENDPOINT_PLACEHOLDER
    if not endpoint.startswith("https://"):
        fail(f"--endpoint must be an https:// URL (Alexa calls only HTTPS): {endpoint}")
    db = prepare_database(settings)
    try:
        with db.session() as session:
            products = load_products(session)
        paths = write_skill_package(
            Path(args.out),
            products=products,
            shop_name=settings.shop_name,
            invocation_name=settings.alexa_invocation_name,
            endpoint=endpoint,
        )
    except ValueError as exc:
        fail(f"HARK_ALEXA_INVOCATION_NAME: {exc}")
    finally:
        db.dispose()
    for path in paths:
        print(f"wrote {path}")
    if endpoint == ENDPOINT_PLACEHOLDER:
        print(f"note: edit apis.custom.endpoint.uri in {paths[0]} (or pass --endpoint URL)")
    return 0


def run_link(args: argparse.Namespace) -> int:
    from hark.integrations.alexa.customers import link_key
    from hark.store.channel_links import link_customer
    from hark.store.db import open_database

    settings = settings_from_args(args, database_url=args.db)
    db = open_database(settings.effective_database_url)
    try:
        channel, external_id = link_key(args.user_id, token=args.token)
        created = link_customer(db, channel, external_id, args.customer_id)
    except (LookupError, ValueError) as exc:
        fail(str(exc))
    finally:
        db.dispose()
    kind = "access token" if args.token else "Alexa user"
    print(f"{'linked' if created else 'relinked'} {kind} to customer {args.customer_id}")
    return 0
