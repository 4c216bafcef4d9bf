"""The staff area (/beheer): staff accounts, roles, account search (htmx) and the audit log."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from tests.conftest import DEMO_PASSWORD, PASSWORD, count, login, make_user
from tests.web.conftest import DEMO_EMAILS, html, login_as, post, translated

NEW_STAFF = {"name": "Rita Reviewer", "email": " Rita@Example.org ", "password": "a first password",
             "roles": ["reviewer"]}


def reload(email: str) -> User | None:
    db.session.expire_all()
    return ops.find_user_by_email(email)


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.seq)))


def checked_roles(page: str) -> set[str]:
    return set(re.findall(r'<input checked[^>]*name="roles"[^>]*value="([a-z]+)"', page)) | set(
        re.findall(r'<input[^>]*name="roles"[^>]*value="([a-z]+)"[^>]*checked', page))


# The staff area itself --------------------------------------------------------------------------

def test_staff_index_shows_what_the_role_may_use(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    page = html(client.get("/beheer/"))
    for link in ("/beheer/medewerkers", "/beheer/accounts", "/beheer/audit"):
        assert f'href="{link}"' in page
    other = app.test_client()
    login_as(other, "reviewer")
    page = html(other.get("/beheer/"))
    assert "/beheer/medewerkers" not in page and "/beheer/audit" not in page
    assert translated(app, "Reviewer (civil servant)", "nl") in page


def test_staff_link_in_the_menu_only_for_staff(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "resident")
    assert 'href="/beheer/"' not in html(client.get("/"))
    other = app.test_client()
    login_as(other, "council")
    assert 'href="/beheer/"' in html(other.get("/"))


def test_staff_list(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    make_user("someone@example.org", name="Just a resident")
    login_as(client, "admin")
    page = html(client.get("/beheer/medewerkers"))
    for role, email in DEMO_EMAILS.items():
        assert (email in page) is (role != "resident"), email
    assert "someone@example.org" not in page


# Creating staff accounts ------------------------------------------------------------------------

def test_admin_creates_a_staff_account(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    admin = reload(DEMO_EMAILS["admin"])
    assert client.get("/beheer/medewerkers/nieuw").status_code == 200
    response = post(client, "/beheer/medewerkers/nieuw", {**NEW_STAFF, "roles": ["reviewer", "moderator"]})
    assert response.status_code == 303
    assert response.headers["Location"] == "/beheer/medewerkers"
    listing = html(client.get("/beheer/medewerkers"))
    assert "rita@example.org" in listing
    assert translated(app, "The account has been created.", "nl") in listing
    user = reload("rita@example.org")
    assert user.name == "Rita Reviewer"
    assert user.role_names == {"reviewer", "moderator"}
    assert user.email_confirmed
    [event] = audit_events("staff_created")
    assert event.actor_id == admin.id
    assert json.loads(event.payload) == {"roles": ["moderator", "reviewer"]}
    # The new account can log in with the first password.
    assert login(app.test_client(), "rita@example.org", "a first password").status_code == 303


def test_a_staff_account_needs_a_staff_role(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    before = count(User)
    for roles in ([], ["resident"]):
        response = post(client, "/beheer/medewerkers/nieuw", {**NEW_STAFF, "roles": roles})
        assert response.status_code == 422, roles
        page = html(response)
        assert translated(app, "Choose at least one staff role.", "nl") in page
        assert 'id="roles-error"' in page
        assert 'href="#roles"' in page  # the error summary links to the field
    assert count(User) == before


def test_an_unknown_role_is_refused(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    before = count(User)
    response = post(client, "/beheer/medewerkers/nieuw", {**NEW_STAFF, "roles": ["reviewer", "superuser"]})
    assert response.status_code == 422
    assert count(User) == before


def test_new_staff_validation(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    before = count(User)
    for change, message in [({"name": ""}, "Enter a name."),
                            ({"email": ""}, "Enter an e-mail address."),
                            ({"email": "rita"}, "Enter an e-mail address like name@example.nl."),
                            ({"password": "short"}, None),
                            ({"password": ""}, "Choose a first password.")]:
        response = post(client, "/beheer/medewerkers/nieuw", {**NEW_STAFF, **change})
        assert response.status_code == 422, change
        if message:
            assert translated(app, message, "nl") in html(response), change
        assert "a first password" not in html(response)
    assert count(User) == before


def test_a_staff_account_with_an_address_in_use(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    before = count(User)
    response = post(client, "/beheer/medewerkers/nieuw", {**NEW_STAFF, "email": "BEWONER@example.org"})
    assert response.status_code == 422
    assert translated(app, "There is already an account with this e-mail address. "
                           "Change the roles of that account instead.", "nl") in html(response)
    assert count(User) == before
    assert reload(DEMO_EMAILS["resident"]).role_names == {"resident"}
    assert audit_events("staff_created") == []


# Changing roles -----------------------------------------------------------------------------------

def test_admin_changes_roles(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    resident = reload(DEMO_EMAILS["resident"])
    url = f"/beheer/accounts/{resident.id}/rollen"
    page = html(client.get(url))
    assert checked_roles(page) == {"resident"}
    response = post(client, url, {"roles": ["resident", "council"]})
    assert response.status_code == 303
    assert response.headers["Location"] == "/beheer/medewerkers"
    assert reload(DEMO_EMAILS["resident"]).role_names == {"resident", "council"}
    assert checked_roles(html(client.get(url))) == {"resident", "council"}
    [event] = audit_events("roles_changed")
    assert event.target == f"user:{resident.id}"
    assert json.loads(event.payload) == {"roles": ["council", "resident"]}


def test_a_changed_role_signs_the_person_out(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    moderator = app.test_client()
    login_as(moderator, "moderator")
    assert moderator.get("/beheer/").status_code == 200
    login_as(client, "admin")
    user = reload(DEMO_EMAILS["moderator"])
    assert post(client, f"/beheer/accounts/{user.id}/rollen", {"roles": ["resident"]}).status_code == 303
    assert moderator.get("/beheer/").status_code == 302
    login(moderator, DEMO_EMAILS["moderator"], DEMO_PASSWORD)
    assert moderator.get("/beheer/").status_code == 403


def test_admin_cannot_remove_own_admin_role(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    admin = reload(DEMO_EMAILS["admin"])
    response = post(client, f"/beheer/accounts/{admin.id}/rollen", {"roles": ["reviewer"]})
    assert response.status_code == 422
    assert translated(app, "You cannot take away your own administrator role. Ask another administrator.",
                      "nl") in html(response)
    assert reload(DEMO_EMAILS["admin"]).role_names == {"admin"}
    assert audit_events("roles_changed") == []
    # Adding a role to oneself is fine.
    assert post(client, f"/beheer/accounts/{admin.id}/rollen", {"roles": ["admin", "reviewer"]}).status_code == 303
    assert reload(DEMO_EMAILS["admin"]).role_names == {"admin", "reviewer"}


def test_another_admin_may_remove_an_admin_role(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    make_user("second-admin@example.org", roles=("admin",))
    login(client, "second-admin@example.org", PASSWORD)
    admin = reload(DEMO_EMAILS["admin"])
    assert post(client, f"/beheer/accounts/{admin.id}/rollen", {"roles": ["council"]}).status_code == 303
    assert reload(DEMO_EMAILS["admin"]).role_names == {"council"}


def test_unknown_roles_and_accounts(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    resident = reload(DEMO_EMAILS["resident"])
    response = post(client, f"/beheer/accounts/{resident.id}/rollen", {"roles": ["root"]})
    assert response.status_code == 422
    assert reload(DEMO_EMAILS["resident"]).role_names == {"resident"}
    for url in ("/beheer/accounts/999999/rollen", "/beheer/accounts/0/rollen", "/beheer/accounts/2147483647/rollen",
                "/beheer/accounts/2147483648/rollen", "/beheer/accounts/99999999999999999999999/rollen",
                "/beheer/accounts/-1/rollen", "/beheer/accounts/abc/rollen"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert translated(app, "Page not found", "nl") in html(response)
    assert post(client, "/beheer/accounts/999999/rollen", {"roles": ["admin"]}).status_code == 404


def test_non_admins_cannot_change_roles(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "moderator")
    moderator = reload(DEMO_EMAILS["moderator"])
    response = post(client, f"/beheer/accounts/{moderator.id}/rollen", {"roles": ["moderator", "admin"]})
    assert response.status_code == 403
    assert translated(app, "You may not do this", "nl") in html(response)
    assert reload(DEMO_EMAILS["moderator"]).role_names == {"moderator"}
    response = post(client, "/beheer/medewerkers/nieuw", NEW_STAFF)
    assert response.status_code == 403
    assert reload("rita@example.org") is None


# Account search (htmx) ----------------------------------------------------------------------------

def test_account_search_full_page_and_fragment(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    full = client.get("/beheer/accounts?q=example.org")
    assert full.status_code == 200
    page = html(full)
    assert page.lstrip().startswith("<!doctype html>")
    assert 'id="account-results"' in page
    for email in DEMO_EMAILS.values():
        assert email in page
    assert "Vary" in full.headers and "HX-Request" in full.headers["Vary"]

    fragment = client.get("/beheer/accounts?q=example.org", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    part = html(fragment)
    assert "<html" not in part and "<form" not in part and "<h1" not in part
    assert part.strip().startswith("<ul")
    for email in DEMO_EMAILS.values():
        assert email in part
    resident = reload(DEMO_EMAILS["resident"])
    assert f'href="/beheer/accounts/{resident.id}/rollen"' in part
    assert "HX-Request" in fragment.headers["Vary"]


def test_account_search_narrows_down(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    part = html(client.get("/beheer/accounts?q=BEWONER", headers={"HX-Request": "true"}))
    assert DEMO_EMAILS["resident"] in part
    assert DEMO_EMAILS["admin"] not in part


def test_account_search_treats_wildcards_as_text(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    for query in ("%", "_", "%example%", "\\"):
        part = html(client.get("/beheer/accounts", query_string={"q": query}, headers={"HX-Request": "true"}))
        assert "@example.org" not in part, query
        assert translated(app, "No account found for %(query)s.", "nl", query=query) in part


def test_account_search_without_query(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    page = html(client.get("/beheer/accounts"))
    assert "@example.org (" not in page
    assert html(client.get("/beheer/accounts", headers={"HX-Request": "true"})).strip() == ""


def test_account_search_with_a_very_long_query(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    response = client.get("/beheer/accounts", query_string={"q": "bewoner" + "x" * 5000})
    assert response.status_code == 200
    assert 'maxlength="254"' in html(response)


def test_htmx_fragment_still_needs_permission(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "reviewer")
    response = client.get("/beheer/accounts?q=example", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "@example.org (" not in html(response)


# Audit log ------------------------------------------------------------------------------------

def test_audit_log_page_shows_the_chain_intact(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    resident = reload(DEMO_EMAILS["resident"])
    post(client, f"/beheer/accounts/{resident.id}/rollen", {"roles": ["resident", "council"]})
    post(client, "/beheer/medewerkers/nieuw", NEW_STAFF)
    response = client.get("/beheer/audit")
    assert response.status_code == 200
    page = html(response)
    events = count(AuditEvent)  # the two above, and whatever the demo data logged
    assert events >= 2
    assert translated(app, "The chain of %(count)d events is intact.", "nl", count=events) in page
    assert "utrecht-alert--ok" in page
    assert "roles_changed" in page and "staff_created" in page
    assert f"user:{resident.id}" in page


def test_audit_log_page_shows_tampering(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    resident = reload(DEMO_EMAILS["resident"])
    post(client, f"/beheer/accounts/{resident.id}/rollen", {"roles": ["resident", "council"]})
    post(client, f"/beheer/accounts/{resident.id}/rollen", {"roles": ["resident"]})
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 1).values(payload='{"roles": ["admin"]}'))
    db.session.commit()
    page = html(client.get("/beheer/audit"))
    assert "utrecht-alert--error" in page
    assert translated(app, "The chain of %(count)d events is intact.", "nl", count=count(AuditEvent)) not in page
    assert translated(app, "The audit log has been changed: %(message)s", "nl",
                      message="event 1 was changed after it was written") in page


def test_audit_log_is_for_admins_only(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    for role in ("resident", "reviewer", "moderator", "council"):
        other = app.test_client()
        login_as(other, role)
        assert other.get("/beheer/audit").status_code == 403, role
