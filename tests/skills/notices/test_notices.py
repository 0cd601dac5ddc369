"""Proactive notices by text: events from the shop's data decided once, consent, opt-out,
quiet hours in the customer's time zone, the outbox sending exactly once, and a reply
continuing the notice's conversation. Twilio's Messages API is a recording double on
loopback (``twilio_api_double``)."""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from twilio_sim import ACCOUNT, sid

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.server.notice_sender import NoticeSender
from hark.store import consent
from hark.store.models import Conversation, Notice, NoticeSend, TextMessage, Turn
from hark.store.shop_import import import_shop

FROM = "+15550001234"
# Tomorrow (notices made now are due by then) at 17:00 UTC: midday in New York, morning in
# Los Angeles.
TOMORROW = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
NOON = dt.datetime.combine(TOMORROW, dt.time(17, 0))


def utc_of(local: dt.time, zone: str, day: dt.date = TOMORROW) -> dt.datetime:
    moment = dt.datetime.combine(day, local, tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


# customer -> (contact_consent, timezone)
CONSENT = {
    "C001": ("", ""),  # Maria: no consent on file
    "C002": ("sms;call", "America/New_York"),  # James: texts first
    "C005": ("whatsapp;sms", "America/New_York"),  # Aisha: WhatsApp first
    "C007": ("sms", "America/Los_Angeles"),
}


def write_shop(folder: Path, orders: dict[str, tuple[str, str]] | None = None) -> Path:
    """The sample shop with consent columns, and ``orders`` (id -> (status, eta)) changed."""
    folder.mkdir(parents=True, exist_ok=True)  # products and FAQ: already imported
    with (SAMPLE_SHOP_DIR / "customers.csv").open() as src:
        rows = list(csv.DictReader(src))
    with (folder / "customers.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, [*rows[0].keys(), "contact_consent", "timezone"])
        writer.writeheader()
        for row in rows:
            channels, zone = CONSENT.get(row["customer_id"], ("", ""))
            writer.writerow({**row, "contact_consent": channels, "timezone": zone})
    with (SAMPLE_SHOP_DIR / "orders.csv").open() as src:
        order_rows = list(csv.DictReader(src))
    with (folder / "orders.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, list(order_rows[0].keys()))
        writer.writeheader()
        for row in order_rows:
            if orders and row["order_id"] in orders:
                row["status"], row["eta"] = orders[row["order_id"]]
            writer.writerow(row)
    return folder


LATE = {"7002": ("delayed", "2026-12-12"), "9031": ("delayed", "2026-12-09")}


@pytest.fixture
def late_orders(db, tmp_path, notice_settings) -> Path:
    """Consent columns imported, then a re-import in which two orders turned late."""
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=frozenset({"order_delayed"}))
    return tmp_path / "shop"


def notices(db) -> list[Notice]:
    with db.session() as session:
        rows = list(session.scalars(select(Notice).order_by(Notice.id)))
        for row in rows:
            _ = row.sends
        session.expunge_all()
        return rows


def test_a_late_order_is_one_text_per_customer_by_their_channel(
    db, notice_settings, api, late_orders, tmp_path, sender_for
) -> None:
    late = notices(db)
    assert sorted((n.kind, n.customer_id, n.order_id) for n in late) == [
        ("order_delayed", "C002", "7002"),
        ("order_delayed", "C005", "9031"),
    ]
    # the same files again, or the same change from the API: no second event
    report = import_shop(db, late_orders, notice_rules=frozenset({"order_delayed"}))
    assert report.counts["notices"] == 0 and len(notices(db)) == 2

    sender = sender_for(db, notice_settings)
    preview = sender.run_once(dry_run=True, now=NOON)
    assert {(o.customer_id, o.action, o.channel) for o in preview} == {
        ("C002", "send", "sms"),
        ("C005", "send", "whatsapp"),
    }
    assert api.requests == []  # a dry run sends nothing
    done = sender.run_once(now=NOON)
    assert {(o.customer_id, o.action, o.channel) for o in done} == {
        ("C002", "sent", "sms"),
        ("C005", "sent", "whatsapp"),
    }
    texts = sorted(api.messages(), key=lambda m: m["To"])
    assert [(m["To"], m["From"]) for m in texts] == [
        ("+15550100102", FROM),
        ("whatsapp:+15550100105", f"whatsapp:{FROM}"),
    ]
    assert all(r["user"] == ACCOUNT for r in api.requests)
    james = texts[0]["Body"]
    assert "order ending 02" in james and "automated assistant" in james and "STOP" in james
    # claimed-safe: no full order number, no date, no product, no name
    assert "7002" not in james and "December" not in james and "James" not in james
    assert sender.run_once(now=NOON + dt.timedelta(hours=1)) == []  # nothing twice
    assert len(api.messages()) == 2
    assert {n.outcome for n in notices(db)} == {"delivered"}


def test_consent_missing_is_suppressed_with_the_reason(
    db, notice_settings, api, tmp_path, sender_for
) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(
        db,
        write_shop(tmp_path / "shop", {"5274": ("delayed", "2026-12-20")}),  # Maria, ETA moved
        notice_rules=frozenset({"order_eta_moved", "order_delayed"}),
    )
    [maria] = notices(db)
    assert maria.kind == "order_eta_moved" and maria.customer_id == "C001"
    sender_for(db, notice_settings).run_once(now=NOON)
    [maria] = notices(db)
    assert maria.outcome == "suppressed" and "no consent" in maria.reason
    assert api.requests == []


def test_a_rule_switched_off_is_kept_as_suppressed(db, notice_settings, tmp_path) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(db, write_shop(tmp_path / "shop", {"7002": ("delivered", "2026-11-26")}))
    [delivered] = notices(db)
    assert delivered.kind == "order_delivered" and delivered.outcome == "suppressed"
    assert "rule off" in delivered.reason


def test_quiet_hours_in_the_customers_zone_defer_to_their_morning(
    db, notice_settings, api, tmp_path, sender_for
) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(
        db,
        write_shop(tmp_path / "shop", {"2638": ("delayed", "2026-12-09")}),  # Emily, Los Angeles
        notice_rules=frozenset({"order_eta_moved"}),  # delayed already; the date moved again
    )
    sender = sender_for(db, notice_settings)
    night = utc_of(dt.time(22, 30), "America/Los_Angeles")  # 06:30 UTC, past 8 in London
    [deferred] = sender.run_once(now=night)
    assert deferred.action == "defer" and "America/Los_Angeles" in deferred.reason
    [emily] = notices(db)
    morning = utc_of(dt.time(8, 0), "America/Los_Angeles", TOMORROW + dt.timedelta(days=1))
    assert emily.next_attempt_at == morning
    assert sender.run_once(now=morning - dt.timedelta(minutes=1)) == []
    assert api.requests == []
    [sent] = sender.run_once(now=morning)
    assert sent.action == "sent" and len(api.messages()) == 1


def test_two_processes_and_a_crash_never_send_twice(
    db, notice_settings, api, late_orders, settings, sender_for
) -> None:
    first, second = sender_for(db, notice_settings), sender_for(db, notice_settings)
    barrier = threading.Barrier(2)
    results: list = []

    def run(sender: NoticeSender) -> None:
        barrier.wait()
        results.extend(sender.run_once(now=NOON))

    threads = [threading.Thread(target=run, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(api.messages()) == 2 and len(results) == 2

    # a process that died after committing a send but before recording it: not sent again
    import_shop(
        db,
        write_shop(late_orders, {**LATE, "2638": ("delayed", "2026-12-09")}),
        notice_rules=frozenset({"order_eta_moved"}),
    )
    [emily] = [n for n in notices(db) if n.customer_id == "C007"]
    with db.session() as session:
        row = session.get(Notice, emily.id)
        assert row is not None
        row.lease_owner, row.lease_until = "dead:process", NOON + dt.timedelta(minutes=1)
        session.add(
            NoticeSend(notice_id=row.id, customer_id="C007", channel="sms", outcome="sending")
        )
    assert first.run_once(now=NOON) == []  # still leased by the dead process
    [closed] = first.run_once(now=NOON + dt.timedelta(minutes=5))
    assert closed.action == "failed"
    [emily] = [n for n in notices(db) if n.customer_id == "C007"]
    assert emily.outcome == "failed" and "not sent again" in emily.reason
    assert len(api.messages()) == 2


async def test_a_reply_continues_the_notice_conversation_and_stop_is_honoured(
    db, notice_settings, api, late_orders, phone, sender_for
) -> None:
    # the server's own notice loop is off here: this test sends at a time of its choosing
    sim = phone("gather", settings=notice_settings.model_copy(update={"notices": "off"})).sim
    dialogue = DialogueManager(db, notice_settings)
    sender = sender_for(db, notice_settings, dialogue)
    sender.run_once(now=NOON)

    async def text(body: str, sender_number: str = "+15550100102") -> str:
        params = {"MessageSid": sid("SM"), "From": sender_number, "To": FROM, "Body": body}
        response = await sim.post("/twilio/sms", params)
        assert response.status_code == 200
        return response.text

    reply = await text("when will it get here?")
    assert "automated assistant" not in reply  # no new introduction: the same conversation
    with db.session() as session:
        [james] = session.scalars(select(Notice).where(Notice.customer_id == "C002"))
        conversation = session.get(Conversation, james.conversation_id)
        assert conversation is not None and conversation.identity == "claimed"
        turns = list(session.scalars(select(Turn).where(Turn.conversation_id == conversation.id)))
        assert [t.role for t in turns] == ["assistant", "user", "assistant"]
        assert "order ending 02" in turns[0].text
        assert "December" not in turns[2].text  # claimed: no dates before they verify
        threads = session.scalars(
            select(TextMessage.conversation_id).where(TextMessage.answered.is_(True))
        ).all()
        # James's notice and his reply, and Aisha's notice: no new conversation for the reply
        assert sorted(threads).count(conversation.id) == 2 and len(threads) == 3
        assert "make sure it's you" in turns[2].text  # the brain asks them to verify

    # "stop texting me", typed in the conversation: every channel, at once
    stopped = await text("Please stop texting me")
    assert "won't call, text or message you" in stopped
    # Aisha sends the carriers' keyword
    assert "unsubscribed" in await text("STOP", "+15550100105")
    with db.session() as session:
        assert consent.view(session, "C002").stopped and consent.view(session, "C005").stopped
    before = len(api.messages())
    import_shop(
        db,
        write_shop(late_orders, {"7002": ("delayed", "2026-12-15"), "9031": ("shipped", "")}),
        notice_rules=frozenset({"order_eta_moved", "order_shipped"}),
    )
    later = [o for o in sender.run_once(now=NOON + dt.timedelta(days=1))]
    assert {(o.customer_id, o.action) for o in later} == {
        ("C002", "suppress"),
        ("C005", "suppress"),
    }
    assert all("opted out" in o.reason for o in later)
    assert len(api.messages()) == before

    # START re-subscribes
    assert "subscribed again" in await text("START", "+15550100105")
    import_shop(
        db,
        write_shop(late_orders, {"7002": ("delayed", "2026-12-15"), "9031": ("delivered", "")}),
        notice_rules=frozenset({"order_delivered"}),
    )
    [aisha] = sender.run_once(now=NOON + dt.timedelta(days=1))
    assert aisha.customer_id == "C005" and aisha.action == "sent"


def midday_zone() -> str:
    """A fixed-offset zone where it is about noon now (the loop below runs on the real clock)."""
    offset = 12 - dt.datetime.now(dt.UTC).hour  # -11 .. 12
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


def wait_for(predicate, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_servers_send_on_their_own_once_across_a_second_process_and_a_restart(
    db, notice_settings, api, tmp_path, make_app, live_server, monkeypatch
) -> None:
    zone = midday_zone()
    monkeypatch.setitem(CONSENT, "C002", ("sms", zone))
    monkeypatch.setitem(CONSENT, "C005", ("whatsapp", zone))
    import_shop(db, write_shop(tmp_path / "shop"))
    used = notice_settings.model_copy(update={"notice_poll_s": 0.2})

    def server():  # its own brain and its own notice loop, as a separate process has
        return live_server(make_app(used, dialogue=DialogueManager(db, used)))

    first, _second = server(), server()
    import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=frozenset({"order_delayed"}))
    wait_for(lambda: all(n.state == "done" for n in notices(db)) and len(notices(db)) == 2)
    assert sorted(m["To"] for m in api.messages()) == ["+15550100102", "whatsapp:+15550100105"]
    first.stop()
    server()  # a restart
    time.sleep(1.5)  # several rounds of both loops
    assert len(api.messages()) == 2
    assert {n.outcome for n in notices(db)} == {"delivered"}


def test_notices_and_consent_are_exported_and_erased_with_the_customer(
    db, notice_settings, late_orders, sender_for
) -> None:
    from hark.store.data_rights import erase_customer, export_customer

    sender_for(db, notice_settings).run_once(now=NOON)
    exported = export_customer(db, "C002")
    assert [n["event"] for n in exported["notices"]] == ["order_delayed"]
    assert exported["notices"][0]["sends"][0]["outcome"] == "delivered"
    assert [c["channel"] for c in exported["contact_consents"]] == ["call", "sms"]
    erase_customer(db, "C002")
    with db.session() as session:
        assert consent.history(session, "C002") == []
        assert (
            session.scalars(select(NoticeSend).where(NoticeSend.customer_id == "C002")).all() == []
        )
    assert [n.customer_id for n in notices(db)] == ["C005"]


async def test_a_delivery_report_of_failure_is_recorded(
    db, notice_settings, api, late_orders, phone, sender_for
) -> None:
    sim = phone("gather", settings=notice_settings.model_copy(update={"notices": "off"})).sim
    sender_for(db, notice_settings).run_once(now=NOON)
    james = next(n for n in notices(db) if n.customer_id == "C002")
    message_sid = james.sends[0].provider_id or ""
    report = {"MessageSid": message_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert (await sim.post("/twilio/notice-status", report)).status_code == 200
    james = next(n for n in notices(db) if n.customer_id == "C002")
    assert james.outcome == "failed" and "30003" in james.reason
    assert (await sim.post("/twilio/notice-status", report, signature="forged")).status_code == 403


def test_hark_notify_run_dry_run_says_what_and_why(
    db, settings, tmp_path, api, monkeypatch, capsys
) -> None:
    """The command line, on the test database, configured by environment like a shop's."""
    from hark.cli.main import main

    zone = midday_zone()
    monkeypatch.setitem(CONSENT, "C002", ("sms", zone))
    monkeypatch.setitem(CONSENT, "C005", ("", zone))
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=frozenset({"order_delayed"}))
    for key, value in {
        "HARK_NOTICES": "all",
        "HARK_TWILIO_ACCOUNT_SID": ACCOUNT,
        "HARK_TWILIO_AUTH_TOKEN": "test-auth-token-0123456789abcdef",
        "HARK_TWILIO_FROM": FROM,
        "HARK_TWILIO_API_BASE_URL": api.url,  # type: ignore[attr-defined]
    }.items():
        monkeypatch.setenv(key, value)
    url = settings.effective_database_url
    assert main(["notify", "run", "--dry-run", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "order_delayed for C002: would send by sms: consent for sms" in out
    assert "for C005: would suppress: no consent" in out
    assert api.requests == []
    assert main(["notify", "run", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "for C002: sent by sms" in out and len(api.messages()) == 1
    assert main(["notify", "run", "--db", url]) == 0
    assert capsys.readouterr().out.strip() == "no notices due now"


def test_a_cap_defers_the_next_notice(
    db, notice_settings, api, late_orders, monkeypatch, sender_for
) -> None:
    capped = notice_settings.model_copy(
        update={"notice_caps": "sms=1/week;whatsapp=1/week;call=0/day"}
    )
    sender = sender_for(db, capped)
    assert {o.action for o in sender.run_once(now=NOON)} == {"sent"}
    import_shop(
        db,
        write_shop(late_orders, {"7002": ("delayed", "2026-12-19"), "9031": ("shipped", "")}),
        notice_rules=frozenset({"order_eta_moved", "order_shipped"}),
    )
    later = sender.run_once(now=NOON + dt.timedelta(hours=2))
    # James: texts capped, calls capped at none: deferred. Aisha: WhatsApp capped, her
    # next channel (sms) is not.
    assert {(o.customer_id, o.action, o.channel) for o in later} == {
        ("C002", "defer", None),
        ("C005", "sent", "sms"),
    }
    [james] = [o for o in later if o.customer_id == "C002"]
    assert "sms: cap of 1 reached" in james.reason and "call: cap of 0 reached" in james.reason
    assert len(api.messages()) == 3
    [week_on] = sender.run_once(now=NOON + dt.timedelta(days=7, hours=3))
    assert (week_on.customer_id, week_on.action) == ("C002", "sent") and len(api.messages()) == 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("notices", "order_delayed,birthday", "unknown notice kind"),
        ("notice_hours", "07:00-21:00", "within 08:00-21:00"),
        ("notice_hours", "9-5", "HH:MM-HH:MM"),
        ("notice_caps", "fax=1/day", "bad cap"),
        ("notice_caps", "sms=three/week", "channel=N/day"),
        ("timezone", "Mars/Olympus", "unknown IANA time zone"),
        ("twilio_from", "555-0100", "E.164"),
        ("smtp_url", "http://mail.example", "smtp://"),
        ("cart_reminder_h", "0", "greater than or equal to 1"),
        ("call_retries", "9", "less than or equal to 5"),
    ],
)
def test_bad_notice_settings_are_one_clear_error(field, value, message) -> None:
    from pydantic import ValidationError

    from hark.runtime.settings import load_settings

    with pytest.raises(ValidationError) as raised:
        load_settings(**{field: value})
    assert message in str(raised.value)
