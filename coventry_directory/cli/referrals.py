"""The ``referral`` and ``outbox`` subcommands (see docs/cli.md and docs/referrals.md).

``referral render FORM.json -o FILE.pdf`` prints a referral; ``referral send FORM.json``
queues it in the encrypted outbox and tries to send it; ``outbox list`` and ``outbox flush``
show and retry what is waiting. Personal data never reaches stdout/stderr beyond what the
user asked to render: messages name services and referral ids only.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from coventry_directory import APP_ID
from coventry_directory.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    UsageError,
    add_command,
    add_service_id,
    path_text,
    print_json,
)
from coventry_directory.cli.common import user_store as _user_store

PASSPHRASE_ENV = "COVENTRY_DIRECTORY_OUTBOX_PASSPHRASE"
MAX_FORM_BYTES = 1 << 20  # a referral form is a few KB; 1 MB is far more than any could need


def register(subparsers) -> None:
    """Add ``referral`` and ``outbox`` (with their actions) to the main parser's subparsers."""
    ref = subparsers.add_parser(
        "referral",
        help="make a direct referral: print it, or send it by secure email",
        description="Referrals are read from FORM.json (its shape is in docs/referrals.md).",
    )
    actions = ref.add_subparsers(dest="referral_command", metavar="ACTION", required=True)
    render = add_command(
        actions, "render", cmd_render, help="print a referral to a PDF (for printing or secure upload)"
    )
    render.add_argument("form", type=path_text, metavar="FORM.json", help="the referral form")
    render.add_argument("-o", "--output", type=path_text, required=True, metavar="FILE.pdf", help="the PDF to write")

    send = add_command(
        actions, "send", cmd_send, help="email a referral over TLS; it waits in the outbox if it cannot go now"
    )
    send.add_argument("form", type=path_text, metavar="FORM.json", help="the referral form")

    statement = add_command(
        actions, "statement", cmd_statement, help="show a service's information-sharing statement and form"
    )
    add_service_id(statement)

    log = add_command(actions, "log", cmd_log, help="the referral log (no personal data) and follow-up reminders")
    log.add_argument("--follow-ups", action="store_true", help="only referrals still waiting for an answer")
    log.add_argument("--json", action="store_true", help="machine-readable output")

    mark = add_command(actions, "mark", cmd_mark, help="record what happened to a referral")
    mark.add_argument("referral_id", metavar="ID", help="a referral id (or its first 8 characters)")
    mark.add_argument("status", metavar="STATUS", help="accepted, declined, no-response, follow-up or printed")
    mark.add_argument("--follow-up-by", metavar="YYYY-MM-DD", help="when to chase it up")

    settings = add_command(actions, "settings", cmd_settings, help="show or change the mail server used for referrals")
    settings.add_argument("--host", help="mail relay host name, e.g. a secure NHS mail relay")
    settings.add_argument("--port", type=int, help="port (587 for STARTTLS, 465 for TLS)")
    settings.add_argument("--security", choices=("starttls", "tls"), help="never plain text")
    settings.add_argument("--sender", help="the From address the relay lets you send as")
    settings.add_argument("--username", help="login name (the password is never stored in settings)")
    settings.add_argument("--ca-file", metavar="PEM", help="extra trusted CA certificate for the relay")
    settings.add_argument("--timeout", type=float, metavar="SECONDS", help="network timeout (default 30)")
    settings.add_argument(
        "--retention-days",
        type=int,
        metavar="N",
        help="days to keep a sent referral's encrypted copy (default 0: purge at once)",
    )
    settings.add_argument(
        "--remember-password",
        action="store_true",
        help="ask for the mail password and keep it in the system keyring (if there is one)",
    )

    outbox = subparsers.add_parser("outbox", help="referrals waiting to be sent (encrypted)")
    outbox_actions = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    olist = add_command(
        outbox_actions,
        "list",
        cmd_outbox_list,
        help="list waiting referrals (service, dates, last error; no personal data)",
    )
    olist.add_argument("--json", action="store_true", help="machine-readable output")
    add_command(outbox_actions, "flush", cmd_outbox_flush, help="try to send every waiting referral now")


# --- helpers --------------------------------------------------------------------
def _read_form(path_text: str):
    """The ReferralForm in FORM.json; every way the file can be wrong is bad input with its own message."""
    from coventry_directory.input_files import InputFileError, JsonTooDeep, parse_json, read_input, unencodable_paths
    from coventry_directory.referrals.models import ReferralForm

    path = Path(path_text)
    try:
        # a regular file of at most MAX_FORM_BYTES: a named pipe would block for ever, /dev/zero never end
        data = parse_json(read_input(path, "the referral form", MAX_FORM_BYTES).decode("utf-8"))
    except InputFileError as exc:
        raise UsageError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        # The class name only: a decoding error's text quotes bytes of the file, and the file holds personal data.
        raise UsageError(f"cannot read {path}: {exc.__class__.__name__}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except JsonTooDeep:
        raise UsageError(f"{path} is nested too deeply to be a referral form (see docs/referrals.md)") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} must hold a JSON object (see docs/referrals.md)")
    broken = unencodable_paths(data, "$", limit=1)
    if broken:  # names the field only: its value is the client's
        raise UsageError(f"{path} holds text that is not valid at {broken[0]} (a lone surrogate); fix that field")
    form = ReferralForm.from_dict(data)
    if not form.service:
        raise UsageError(f'{path} names no service: add "service": "<service id or key>"')
    return form


def _service(ref_text: str):
    """The directory's service with this id or key; an unknown one is bad input."""
    from coventry_directory.core.editions import open_directory

    store = open_directory()
    try:
        service = store.get_service(ref_text)
    finally:
        store.close()
    if service is None:
        raise UsageError(f"no service with id or key {ref_text!r} (search for it with '{APP_ID} search')")
    return service


def _list_rows(args: argparse.Namespace, rows: list[dict], empty: str, line: Callable[[dict], str]) -> int:
    """Print the rows as JSON with ``--json``, else one ``line`` each (``empty`` when there are none)."""
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not rows:
        print(empty)
    for row in rows:
        print(line(row))
    return EXIT_OK


def _prepared(desk, form):
    ref = desk.prepare(form, _service(form.service))
    if not ref.ok:
        raise UsageError("the referral is not ready: " + " ".join(e.message for e in ref.errors))
    return ref


def _passphrase(folder: Path) -> str | None:
    """The outbox passphrase: env var, else a prompt on a terminal, else a clear error."""
    from coventry_directory.core.text import clean_text
    from coventry_directory.referrals import credentials, crypto

    crypto.check_not_lost(folder)  # sealed referrals but no key file: exit 1, never a new passphrase
    mode = crypto.key_mode(folder)
    given = os.environ.get(PASSPHRASE_ENV) or None
    if given is not None and clean_text(given) != given:
        raise UsageError(f"{PASSPHRASE_ENV} holds bytes that are not UTF-8 text; set it again as plain text")
    if mode == "keyring":
        return None  # the key is in the system keyring
    if mode is None and given is None and credentials.keyring_usable():
        return None  # a new outbox: a random key will be kept in the keyring
    if given:
        return given
    if not sys.stdin.isatty():
        raise UsageError(
            f"the outbox is encrypted with a passphrase: set {PASSPHRASE_ENV} or run this in a "
            "terminal to be asked for it"
        )
    first = getpass.getpass("Outbox passphrase: " if mode else "Choose an outbox passphrase (8+ characters): ")
    if mode is None and getpass.getpass("Type it again: ") != first:
        raise UsageError("the two passphrases differ; nothing was saved")
    return first


def _open_desk(user_store):
    """A ReferralDesk with the outbox unlocked (a wrong passphrase raises OutboxKeyError: bad input)."""
    from coventry_directory.referrals.desk import ReferralDesk
    from coventry_directory.referrals.outbox import Outbox
    from coventry_directory.userdata import data_dir

    folder = data_dir() / "outbox"
    outbox = Outbox.open(user_store, _passphrase(folder), folder)
    # Ask for the mail password only when someone is at a terminal to type it.
    ask = (lambda prompt: getpass.getpass(prompt + ": ")) if sys.stdin.isatty() else None
    return ReferralDesk(user_store, outbox, ask_password=ask)


# --- referral -------------------------------------------------------------------
def cmd_render(args: argparse.Namespace) -> int:
    """``referral render FORM.json -o FILE.pdf``: check the referral and write it as a private PDF."""
    from coventry_directory.referrals.desk import ReferralDesk

    form = _read_form(args.form)  # first: a form that cannot be read needs no user database
    out = Path(args.output)
    existed = os.path.lexists(out)
    with _user_store(write=True) as user_store:  # it logs the referral as printed
        desk = ReferralDesk(user_store)
        ref = _prepared(desk, form)
        try:
            path = desk.save_pdf(ref, out)
        except BaseException:
            # Written but not logged (a disk that filled up meanwhile): a PDF of personal data that the
            # log does not know about is not left behind. One that was there before is not ours to remove.
            if not existed:
                out.unlink(missing_ok=True)
            raise
    print(
        f"wrote {path}: referral {ref.short_id} to {ref.service.name}. It holds personal data: print it or "
        "upload it securely, then delete the file."
    )
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    """``referral send FORM.json``: check, show the sharing statement, queue in the outbox and try to send once."""
    from coventry_directory.referrals.desk import ReferralDesk

    form = _read_form(args.form)  # first: a form that cannot be read needs no user database
    with _user_store(write=True) as user_store:
        # Checked before the outbox is unlocked, so a form that cannot be emailed never asks for a passphrase.
        ref = _prepared(ReferralDesk(user_store), form)
        problem = ref.email_problem()
        if problem:
            raise UsageError(f"{problem} To print it: {APP_ID} referral render {args.form} -o referral.pdf")
        desk = _open_desk(user_store)
        ref = desk.prepare(ref.form, ref.service)  # same checks, with the desk that holds the outbox
        print("Information-sharing statement shown to the person before consent:\n")
        print(ref.statement + "\n")
        outcome = desk.submit(ref)
    print(f"referral {ref.short_id} to {ref.service.name}: {outcome.message}")
    if outcome.status == "queued":
        print(f"Retry with: {APP_ID} outbox flush")
    return EXIT_OK


def cmd_statement(args: argparse.Namespace) -> int:
    """``referral statement SERVICE_ID``: what the person is told before consenting, and what the form takes."""
    from coventry_directory.referrals.consent import sharing_statement
    from coventry_directory.referrals.forms import form_for

    service = _service(args.service_id)
    definition = form_for(service)
    print(sharing_statement(service, definition) + "\n")
    print(f"Form: {definition.title} (our default, not a form published by {service.name})")
    print("Takes: " + ", ".join(definition.label(f) for f in definition.fields))
    if definition.questions:
        print("Asks: " + "; ".join(q.label for q in definition.questions))
    if not service.email:
        route = "cannot be emailed (the directory has no referral email address); print the PDF instead"
    elif not definition.email:
        route = f"not by email ({service.email} is not a referral address for this kind of service)"
    else:
        route = service.email
    print("Email: " + route)
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    """``referral log [--follow-ups] [--json]``: the referral log, which holds no personal data."""
    from coventry_directory.referrals import log

    with _user_store() as user_store:
        rows = log.follow_ups(user_store) if args.follow_ups else log.entries(user_store)
    empty = "No referrals logged." if not args.follow_ups else "No referrals waiting for an answer."
    return _list_rows(args, rows, empty, _log_line)


def _log_line(row: dict) -> str:
    due = row.get("follow_up_by") or "-"
    flag = "  DUE" if row.get("due") else ""
    return (
        f"{row['id'][:8]}  {row['created_at'][:10]}  {row['status']:<11} follow up by {due}{flag}  "
        f"{row['service_name']}" + (f"  [{row['local_reference']}]" if row.get("local_reference") else "")
    )


def cmd_mark(args: argparse.Namespace) -> int:
    """``referral mark ID STATUS``: record the answer (an unknown id or status raises LogError: bad input)."""
    from coventry_directory.referrals import log

    with _user_store(write=True) as user_store:
        row = log.set_status(user_store, args.referral_id, args.status, args.follow_up_by)
    print(
        f"referral {row['id'][:8]} to {row['service_name']}: {row['status']}"
        + (f", follow up by {row['follow_up_by']}" if row["follow_up_by"] else "")
    )
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    """``referral settings [...]``: change the given mail settings, then show them all."""
    from coventry_directory.referrals import credentials
    from coventry_directory.referrals.outbox import RETENTION_SETTING
    from coventry_directory.referrals.smtp import SettingsError, load_config, save_config, validated_config

    names = ("host", "port", "security", "sender", "username", "ca_file", "timeout")
    changing = args.retention_days is not None or args.remember_password
    with _user_store(write=changing or any(getattr(args, n) is not None for n in names)) as user_store:
        # Every value is checked before anything is saved, then all are saved in one transaction.
        cfg = load_config(user_store)
        changed = any(getattr(args, n) is not None for n in names)
        if changed:  # (only showing them checks nothing, so a broken saved value can still be seen)
            try:
                cfg = validated_config({n: getattr(args, n) for n in names}, cfg)
            except SettingsError as exc:
                raise UsageError(f"{exc} Nothing was saved.") from None
        extra = {}
        if args.retention_days is not None:
            if not 0 <= args.retention_days <= 365:
                raise UsageError("--retention-days must be between 0 and 365; nothing was saved")
            extra[RETENTION_SETTING] = str(args.retention_days)
        password = None
        if args.remember_password:
            if not cfg.username or not sys.stdin.isatty():
                raise UsageError(
                    "--remember-password needs --username and a terminal to type the password in; nothing was saved"
                )
            password = getpass.getpass("Mail password: ")
        if changed:
            save_config(user_store, cfg, extra)
        elif extra:
            user_store.set_settings(extra)
        if password is not None and not credentials.remember_smtp_password(cfg.username, password, host=cfg.host):
            print("No system keyring here: the password was not kept, and you will be asked each time.")
        retention = user_store.get_setting(RETENTION_SETTING, "0")
    print(
        f"mail server: {cfg.describe() if cfg.host else 'not set'}; from: {cfg.sender or 'not set'}; "
        f"login: {cfg.username or 'none'}; extra CA: {cfg.ca_file or 'none'}; "
        f"keep sent referrals: {retention} days"
    )
    return EXIT_OK


# --- outbox ---------------------------------------------------------------------
def cmd_outbox_list(args: argparse.Namespace) -> int:
    """``outbox list [--json]``: what is waiting; metadata only, so no passphrase is needed."""
    from coventry_directory.referrals.outbox import Outbox

    with _user_store() as user_store:
        rows = Outbox(user_store).items()
    return _list_rows(args, rows, "The outbox is empty.", _outbox_line)


def _outbox_line(row: dict) -> str:
    state = "NEEDS ATTENTION" if row["needs_attention"] else "waiting"
    return (
        f"{row['id'][:8]}  {row['service_name']}  queued {row['queued_at']}  attempts {row['attempts']}  "
        f"next {row['next_attempt_at']}  {state}"
        + (f"\n          last error: {row['last_error']}" if row["last_error"] else "")
    )


def cmd_outbox_flush(args: argparse.Namespace) -> int:
    """``outbox flush``: try every waiting referral now; exit 1 if any is still waiting afterwards."""
    from coventry_directory.referrals.outbox import SUFFIX, Outbox
    from coventry_directory.userdata import require_writable_data_dir

    with _user_store() as user_store:
        locked = Outbox(user_store)
        if not locked.items() and not any(locked.folder.glob(f"*{SUFFIX}")):
            print("The outbox is empty.")  # nothing to send: no need to ask for the passphrase
            return EXIT_OK
        # Sending marks each referral sent: a folder that cannot record that would mean sending it twice.
        require_writable_data_dir()
        desk = _open_desk(user_store)
        result = desk.flush(force=True)
        names = {r["id"]: r["service_name"] for r in desk.outbox.store.log()}
    for item_id in result.sent:
        print(f"sent {item_id[:8]} to {names.get(item_id, '?')}")
    for item_id, reason in result.failed:
        print(f"still waiting {item_id[:8]} ({names.get(item_id, '?')}): {reason}", file=sys.stderr)
    if not result.sent and not result.failed:
        print("The outbox is empty.")
    return EXIT_FAILURE if result.failed else EXIT_OK
