"""``flask`` commands for operators."""

from __future__ import annotations

import sys

import click
from flask import Flask

from burgerbegroting.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill the database with the demo municipality (safe to run twice)."""
        from burgerbegroting import demo

        demo.seed()
        db.session.commit()
        click.echo("Demo data ready: Gemeente Voorbeeldland.")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first process administrator."""
        from email_validator import EmailNotValidError, validate_email

        from burgerbegroting.auth import operations as ops
        from burgerbegroting.core.forms import PASSWORD_MAX
        from burgerbegroting.core.permissions import Role

        try:
            validate_email(email.strip(), check_deliverability=False)
        except EmailNotValidError as exc:
            raise click.BadParameter(str(exc), param_hint="email") from None
        if not name.strip():
            raise click.BadParameter("a name is required", param_hint="name")
        if len(name.strip()) > 100:  # the column's length, as the staff form checks
            raise click.BadParameter("at most 100 characters", param_hint="name")
        if len(password) < 10:
            raise click.BadParameter("at least 10 characters", param_hint="password")
        if len(password) > PASSWORD_MAX:  # the login form refuses longer passwords
            raise click.BadParameter(f"at most {PASSWORD_MAX} characters", param_hint="password")
        try:
            ops.create_staff(email, name, password, {Role.ADMIN}, actor_id=None)
        except ops.EmailTaken:
            click.echo(f"An account with {email} exists already.", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"Administrator {email} created.")

    audit_group = click.Group("audit", help="The audit log.")

    @audit_group.command("verify")
    @click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
                  help="A hash noted earlier outside the database (e.g. in the council's minutes): "
                       "event SEQ must still have it. Can be given more than once.")
    def audit_verify(anchors: tuple[str, ...]) -> None:
        """Check that the audit log's hash chain is unbroken (and matches hashes noted earlier)."""
        from burgerbegroting.core import audit

        ok, count, message = audit.verify()
        if not ok:
            click.echo(f"Audit log BROKEN after {count} events: {message}", err=True)
            sys.exit(1)
        for anchor in anchors:
            seq, _, expected = anchor.partition(":")
            if not seq.isdigit() or len(expected.strip()) != 64:
                raise click.BadParameter(f"{anchor!r}: expected SEQ:HASH (a number, a colon, 64 hex characters)",
                                         param_hint="--anchor")
            found = audit.event_hash(int(seq))
            if found != expected.strip().lower():
                click.echo(f"Audit log REWRITTEN: event {seq} has hash {found or '(none: it is missing)'}, "
                           f"noted earlier as {expected.strip().lower()}", err=True)
                sys.exit(1)
        head = audit.head()
        click.echo(f"Audit log intact: {count} events." + (f" Newest: {head[0]}:{head[1]}" if head else ""))
        if anchors:
            click.echo(f"Matches the {len(anchors)} hash(es) noted earlier.")

    app.cli.add_command(audit_group)

    ballots_group = click.Group("ballots", help="The anonymous ballots.")

    @ballots_group.command("shuffle")
    def ballots_shuffle() -> None:
        """Re-order the ballot table randomly (run during voting and when voting closes)."""
        from burgerbegroting.ballots.operations import shuffle_ballots

        count = shuffle_ballots()
        db.session.commit()
        click.echo(f"{count} ballots shuffled.")

    app.cli.add_command(ballots_group)

    voters_group = click.Group("voters", help="Voters: the uploaded register and voting codes.")

    @voters_group.command("purge-register")
    @click.option("--days", type=click.IntRange(min=0, max=100_000), default=None,
                  help="Delete the register of rounds whose voting ended more than this many days ago "
                       "(default: REGISTER_RETENTION_DAYS).")
    @click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
    def voters_purge_register(days: int | None, dry_run: bool) -> None:
        """Delete the names and addresses of the uploaded voter register after the round (AVG).

        Anonymous ballots, participation rows and voting codes stay: the count and the turnout
        do not need the register."""
        from flask import current_app

        from burgerbegroting.voters import retention

        if days is None:
            days = int(current_app.config["REGISTER_RETENTION_DAYS"])
        if dry_run:
            found = retention.purgeable(days)
        else:
            found = retention.purge_register(days, actor_id=None)
            db.session.commit()
        verb = "would delete" if dry_run else "deleted"
        for item in found:
            ended = item.voting_ended.date().isoformat()
            click.echo(f"{item.slug}: {verb} {item.entries} register entries (voting ended {ended})")
        total = sum(item.entries for item in found)
        click.echo(f"{'Dry run: ' if dry_run else ''}{total} register entries {verb} in {len(found)} rounds "
                   f"(retention {days} days after the end of voting).")

    app.cli.add_command(voters_group)
