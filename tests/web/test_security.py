"""Hostile and broken input never gives a 5xx; headers, cookies, CSRF, escaping, rate limits."""

from __future__ import annotations

import re

import pytest

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User
from burgerbegroting.core import mail
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, count, csrf_from, get_csrf, login, make_user
from tests.web import test_access_matrix as matrix
from tests.web.conftest import DEMO_EMAILS, html, login_as, post, token, translated

# Error pages ----------------------------------------------------------------------------------


def test_csrf_token_missing(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    client.get("/login")
    response = client.post("/login", data={"email": "bea@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert translated(app, "Your form has expired", "nl") in html(response)
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize("bad", ["", "x", "not-a-token", "a" * 5000, "IjEyMyI.Zz.abc"])
def test_csrf_token_invalid(client, app, bad: str) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    client.get("/login")
    response = client.post("/login", data={"email": "bea@example.org", "password": PASSWORD, "csrf_token": bad})
    assert response.status_code == 400
    assert translated(app, "Your form has expired", "nl") in html(response)


def test_csrf_token_from_another_session(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    foreign = get_csrf(app.test_client(), "/login")
    client.get("/login")
    response = client.post("/login", data={"email": "bea@example.org", "password": PASSWORD, "csrf_token": foreign})
    assert response.status_code == 400


def test_csrf_token_without_a_session(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    form_token = get_csrf(client, "/login")
    client.delete_cookie("session")
    response = client.post("/login", data={"email": "bea@example.org", "password": PASSWORD,
                                           "csrf_token": form_token})
    assert response.status_code == 400


def test_not_found_page(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert translated(app, "Page not found", "nl") in html(response)
    assert translated(app, "Error code %(code)d", "nl", code=404) in html(response)


def test_unexpected_errors_give_a_friendly_page(client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    monkeypatch.setitem(app.view_functions, "pages.privacy", broken)
    monkeypatch.setattr(app.logger, "exception", lambda *args, **kwargs: None)  # keep the test output clean
    response = client.get("/privacy")
    assert response.status_code == 500
    page = html(response)
    assert translated(app, "Something went wrong on our side", "nl") in page
    assert "secret internal detail" not in page and "Traceback" not in page
    assert response.headers["Content-Security-Policy"]


# Sizes ----------------------------------------------------------------------------------------

def test_body_larger_than_the_limit(client, app) -> None:  # type: ignore[no-untyped-def]
    limit = app.config["MAX_CONTENT_LENGTH"]
    form_token = get_csrf(client, "/login")
    body = f"csrf_token={form_token}&email=".encode() + b"a" * (limit + 1)
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert translated(app, "What you sent is too large", "nl") in html(response)


@pytest.mark.parametrize("field", ["name", "email", "password"])
def test_huge_form_field_urlencoded(client, app, field: str) -> None:  # type: ignore[no-untyped-def]
    data = {"name": "Bea", "email": "bea@example.org", "password": PASSWORD, "confirm": PASSWORD,
            field: "x" * 600_000}
    response = post(client, "/register", data)
    assert response.status_code in (413, 422)
    assert count(User) == 0
    if field == "password":
        assert "x" * 1000 not in html(response)


def test_every_email_field_limits_its_length_before_the_slow_check(app_ctx) -> None:  # type: ignore[no-untyped-def]
    from wtforms.validators import Length

    from burgerbegroting.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm
    from burgerbegroting.core.forms import EMAIL_MAX, EmailAddress
    from burgerbegroting.staff.forms import NewStaffForm

    for form_class in (LoginForm, RegisterForm, ForgotPasswordForm, NewStaffForm):
        field = form_class(meta={"csrf": False}).email
        assert any(isinstance(v, Length) and v.max == EMAIL_MAX for v in field.validators), form_class
        assert any(isinstance(v, EmailAddress) for v in field.validators), form_class


def multipart(fields: dict[str, str], boundary: str = "b0undary") -> tuple[bytes, str]:
    """The body built by hand (the test client would spool it to a file it never closes)."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def test_huge_form_field_multipart(client, app) -> None:  # type: ignore[no-untyped-def]
    body, content_type = multipart({"name": "x" * 600_000, "email": "bea@example.org", "password": PASSWORD,
                                    "confirm": PASSWORD, "csrf_token": get_csrf(client, "/register")})
    response = client.post("/register", data=body, content_type=content_type)
    assert response.status_code == 413  # MAX_FORM_MEMORY_SIZE
    assert count(User) == 0


def test_many_fields(client, app) -> None:  # type: ignore[no-untyped-def]
    data = {f"field{i}": "x" for i in range(5000)}
    response = post(client, "/login", data)
    assert response.status_code == 422  # unknown fields are ignored; the real ones are missing


# Control characters and broken encodings --------------------------------------------------------

CONTROL = ["\x00", "a\x00b", "\x01", "\x08", "\x1b[31m", "\x7f\x00"]


@pytest.mark.parametrize("value", CONTROL)
def test_control_characters_in_forms(client, app, value: str) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    assert post(client, "/login", {"email": value, "password": PASSWORD}).status_code == 400
    assert post(client, "/login", {"email": "bea@example.org", "password": value}).status_code == 400
    registration = {"name": value, "email": "new@example.org", "password": PASSWORD, "confirm": PASSWORD}
    assert post(client, "/register", registration).status_code == 400
    assert post(client, "/password/forgot", {"email": "bea@example.org" + value}).status_code == 400
    assert post(client, "/language", {"lang": "en", "next": "/" + value}).status_code == 400
    assert count(User) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("value", CONTROL)
def test_control_characters_when_logged_in(client, app, demo_accounts, value: str) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    assert post(client, "/profile", {"name": "Bert" + value, "locale": "nl"}).status_code == 400
    assert client.get("/beheer/accounts", query_string={"q": value}).status_code == 400
    new = {"name": "Rita", "email": "rita@example.org", "password": "a first password", "roles": ["reviewer" + value]}
    assert post(client, "/beheer/medewerkers/nieuw", new).status_code == 400
    db.session.expire_all()
    assert ops.find_user_by_email(DEMO_EMAILS["admin"]).name == "Bert Beheerder"
    assert ops.find_user_by_email("rita@example.org") is None


def test_tabs_and_newlines_are_ordinary_text(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    response = post(client, "/profile", {"name": "Bea\tde\r\nVries", "locale": "nl"})
    assert response.status_code == 303


@pytest.mark.parametrize("path", ["/rondes/%00", "/rondes/a%00b", "/rondes/%1b", "/confirm/%00",
                                  "/password/reset/a%00", "/rondes/%0d%0aSet-Cookie:%20x=y"])
def test_control_characters_in_the_path(client, app, demo_accounts, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "Set-Cookie" not in response.headers or "x=y" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("query", ["q=%", "q=%ZZ", "q=%FF%FE", "q=%C3%28", "q=%E2%82", "q=%ED%A0%80",
                                   "next=%C0%AF", "q=%%%", "q=a&q=b&q=%FF", "q=\u00e9", "=&&=="])
def test_broken_percent_encoding_in_the_query_string(client, app, seeded, query: str) -> None:  # type: ignore[no-untyped-def]
    for url in ("/", "/login", "/rondes/wijkbudgetten-2027"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)
    login_as(client, "admin")
    response = client.get(f"/beheer/accounts?{query}")
    assert response.status_code == 200, query


@pytest.mark.parametrize("raw", ["q=\xff\xfe", "q=\xc3(", "next=/\xe9t\xe9"])
def test_raw_bytes_that_are_not_utf8_in_the_query_string(client, app, raw: str) -> None:  # type: ignore[no-untyped-def]
    """Browsers percent-encode; other clients may send raw bytes. 400, never 500."""
    for url in ("/", "/login", "/nope"):
        response = client.get(url, environ_overrides={"QUERY_STRING": raw})
        assert response.status_code == 400, url
        assert response.mimetype == "text/html"
        assert "<h1" in html(response)


def test_broken_encoding_in_a_form(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    form_token = get_csrf(client, "/login")
    bodies = (b"email=%FF%FE%FD&password=%C3%28", b"email=%ZZ&password=%", b"email=bea%40example.org&password=%E2%82")
    for body in bodies:
        response = client.post("/login", data=f"csrf_token={form_token}&".encode() + body,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422, body
    # Raw bytes that are not UTF-8: the form cannot be read at all, so the CSRF check fails.
    response = client.post("/login", data=f"csrf_token={form_token}&email=".encode() + b"\xff\xfe",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_broken_encoding_in_a_multipart_form(client, app) -> None:  # type: ignore[no-untyped-def]
    form_token = get_csrf(client, "/login")
    boundary = "xyz"
    part = f"--{boundary}\r\nContent-Disposition: form-data; name="
    body = (f'{part}"csrf_token"\r\n\r\n{form_token}\r\n{part}"email"\r\n\r\n'.encode() + b"\xff\xfe\r\n"
            + f'{part}"password"\r\n\r\nx\r\n--{boundary}--\r\n'.encode())
    response = client.post("/login", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code < 500
    truncated = client.post("/login", data=body[:60], content_type=f"multipart/form-data; boundary={boundary}")
    assert truncated.status_code < 500


def test_unknown_content_type(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data=b'{"email": "x"}', content_type="application/json")
    assert response.status_code == 400


def test_a_broken_session_cookie_is_ignored(client, app) -> None:  # type: ignore[no-untyped-def]
    for value in ("garbage", "eyJhIjoxfQ.invalid.signature", "\u00e9", "." * 4000):
        client.set_cookie("session", value)
        assert client.get("/").status_code == 200
        assert client.get("/profile").status_code == 302


def test_a_forged_session_cannot_log_in(client, app) -> None:  # type: ignore[no-untyped-def]
    from flask.sessions import SecureCookieSessionInterface

    user = make_user("bea@example.org")
    other = app.test_client()
    login(other, "bea@example.org")
    # Signed with a different key: refused.
    forger = app.test_client()
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    forged = serializer.dumps({"_user_id": f"{user.id}:wrong-version", "_fresh": True})
    forger.set_cookie("session", forged)
    assert forger.get("/profile").status_code == 302


# Escaping ---------------------------------------------------------------------------------------

ATTACKS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"]


@pytest.mark.parametrize("name", ATTACKS)
def test_html_in_a_name_is_escaped_everywhere(client, app, demo_accounts, name: str) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/register", {"name": name, "email": "mallory@example.org", "password": PASSWORD,
                                          "confirm": PASSWORD})
    assert response.status_code == 303
    user = ops.find_user_by_email("mallory@example.org")
    assert user.name == name  # stored as typed
    pages = [client.get("/profile")]
    admin = app.test_client()
    login_as(admin, "admin")
    pages += [admin.get(f"/beheer/accounts/{user.id}/rollen"), admin.get("/beheer/accounts?q=mallory"),
              admin.get("/beheer/accounts?q=mallory", headers={"HX-Request": "true"})]
    post(admin, f"/beheer/accounts/{user.id}/rollen", {"roles": ["resident", "council"]})
    pages.append(admin.get("/beheer/medewerkers"))
    for response in pages:
        page = html(response)
        assert response.status_code == 200
        assert name not in page, response.request.path
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
        assert "&lt;" in page or "&#34;" in page or "&#39;" in page


def test_html_in_a_search_query_is_escaped(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    for response in (client.get("/beheer/accounts", query_string={"q": ATTACKS[1]}),
                     client.get("/beheer/accounts", query_string={"q": ATTACKS[0]}, headers={"HX-Request": "true"})):
        page = html(response)
        assert "<script>alert" not in page and "<img src=x" not in page


def test_html_in_next_is_escaped(client, app) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get('/login?next=/"><script>alert(1)</script>'))
    assert "<script>alert" not in page
    page = html(client.get('/privacy?"><script>alert(1)</script>'))
    assert "<script>alert" not in page


# Headers and cookies ----------------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/privacy", "/toegankelijkheid", "/login", "/register", "/password/forgot",
                "/rondes/wijkbudgetten-2027", "/rondes/burgerbegroting-2026", "/no/such/page", "/logout",
                "/confirm/not-a-token"]
ADMIN_PAGES = ["/profile", "/profile/password", "/profile/delete", "/beheer/", "/beheer/medewerkers",
               "/beheer/medewerkers/nieuw", "/beheer/accounts?q=example", "/beheer/audit"]


def assert_security_headers(response, what: str) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert directives.get("default-src") == "default-src 'self'", what
    assert directives.get("script-src") == "script-src 'self'", what
    assert directives.get("object-src") == "object-src 'none'", what
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", what
    assert directives.get("form-action") == "form-action 'self'", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what


def assert_html_headers(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert_security_headers(response, what)
    assert "HX-Request" in response.headers.get("Vary", ""), what
    assert response.headers.get("Cache-Control") == "no-store", what
    page = html(response)
    # Nothing the CSP would block: no inline script, style or event handler.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), what
    assert not re.search(r"\sstyle=", page), what
    assert not re.search(r"\son[a-z]+=", page), what


def test_security_headers_on_public_pages(client, app, seeded) -> None:  # type: ignore[no-untyped-def]
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.mimetype == "text/html", url
        assert_html_headers(response, url)


def test_security_headers_on_pages_for_staff(client, app, demo_accounts) -> None:  # type: ignore[no-untyped-def]
    login_as(client, "admin")
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_html_headers(response, url)
    fragment = client.get("/beheer/accounts?q=example", headers={"HX-Request": "true"})
    assert_html_headers(fragment, "htmx fragment")


def test_security_headers_on_error_pages(client, app) -> None:  # type: ignore[no-untyped-def]
    responses = [client.post("/login", data={}), client.get("/rondes/%00"),
                 client.get("/", environ_overrides={"QUERY_STRING": "q=\xff"})]
    for response in responses:
        assert response.status_code == 400
        assert_html_headers(response, response.request.path)


def test_security_headers_on_other_responses(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    for url in ("/theme.css", "/profile/data.json", "/static/css/site.css"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
        assert_security_headers(response, url)
        assert "HX-Request" not in response.headers.get("Vary", ""), url
    # Personal data must not stay behind in a browser or proxy cache.
    assert client.get("/profile/data.json").headers["Cache-Control"] == "no-store"


def test_theme_css_uses_only_a_valid_colour(client, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "--bb-brand: #1d4f91;" in html(client.get("/theme.css"))
    monkeypatch.setitem(app.config, "MUNICIPALITY_COLOUR", "#abcdef")
    assert "--bb-brand: #abcdef;" in html(client.get("/theme.css"))
    monkeypatch.setitem(app.config, "MUNICIPALITY_COLOUR", "red; } body { background: url(//evil.example)")
    css = html(client.get("/theme.css"))
    assert "evil" not in css and "--bb-brand: #1d4f91;" in css


def test_session_cookie_flags(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    response = login(client, "bea@example.org")
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_cookies_are_secure(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.REQUIRE_STAFF_2FA is True


# Rate limits ------------------------------------------------------------------------------------

def limited_login(client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(
        html(client.get("/login")))})


def test_login_is_rate_limited(app, limited_app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    client = limited_app.test_client()
    for _ in range(3):
        assert limited_login(client, "bea@example.org", "wrong password!").status_code == 422
    response = limited_login(client, "bea@example.org", PASSWORD)  # even the right password
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    page = html(response)
    assert translated(limited_app, "Too many attempts", "nl") in page
    assert translated(limited_app, "Error code %(code)d", "nl", code=429) in page
    assert_html_headers(response, "429")
    # Reading the login page is not limited, and nobody got logged in.
    assert client.get("/login").status_code == 200
    assert client.get("/profile").status_code == 302


def test_password_reset_is_rate_limited(app, limited_app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    client = limited_app.test_client()

    def ask():  # type: ignore[no-untyped-def]
        return client.post("/password/forgot", data={"email": "bea@example.org",
                                                     "csrf_token": csrf_from(html(client.get("/password/forgot")))})

    assert ask().status_code == 200
    assert ask().status_code == 200
    response = ask()
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert len(mail.outbox) == 2
    # Login has its own limit.
    assert limited_login(client, "bea@example.org", PASSWORD).status_code == 303


def test_two_factor_codes_are_rate_limited(app, limited_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(limited_app.config, "REQUIRE_STAFF_2FA", True)
    make_user("staff@example.org", roles=("admin",))
    client = limited_app.test_client()
    assert limited_login(client, "staff@example.org", PASSWORD).status_code == 303
    statuses = []
    for _ in range(4):
        page = html(client.get("/login/2fa/setup"))
        statuses.append(client.post("/login/2fa/setup", data={"code": "000000",
                                                               "csrf_token": csrf_from(page)}).status_code)
    assert statuses[-1] == 429
    assert all(s in (422, 429) for s in statuses)


def test_limits_are_off_again_after_the_limited_app(client, app) -> None:  # type: ignore[no-untyped-def]
    """The shared limiter must not leak into the other tests."""
    make_user("bea@example.org")
    for _ in range(12):
        assert login(client, "bea@example.org", "wrong password!").status_code == 422


# Bad input on every form: never a 5xx -------------------------------------------------------------

JUNK = ["", "x" * 300, "😀" * 60 + "\u202e' OR '1'='1' --<script>", "%00\ufffd\r\n../../etc/passwd", "-1",
        "99999999999999999999"]
FIELDS = ["name", "email", "password", "confirm", "current_password", "code", "locale", "lang", "next", "roles",
          "remember", "q"]


@pytest.fixture
def objects(app, seeded):  # type: ignore[no-untyped-def]
    """The access matrix's real objects for its URL placeholders."""
    return matrix.make_objects(app)


def _post_urls(filled: dict) -> list[str]:  # type: ignore[type-arg]
    return [case.url.format(**filled) for cases in matrix.POST.values() for case in cases]


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_junk_in_every_form_never_gives_a_server_error(client, app, objects, role: str) -> None:  # type: ignore[no-untyped-def]
    """Every route that takes a POST (from the access matrix), every field name, hostile values."""
    failures = []
    for url in _post_urls(objects):
        if url == "/logout" or url.startswith("/profile/delete"):
            continue  # would end the session half-way; covered by their own tests
        if role == "admin":
            client.delete_cookie("session")
            login_as(client, "admin")
        form_token = token(client)
        for value in JUNK:
            data = dict.fromkeys(FIELDS, value)
            response = client.post(url, data={**data, "csrf_token": form_token})
            if response.status_code >= 500:
                failures.append((url, value, response.status_code))
    assert not failures
