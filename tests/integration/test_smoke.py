from tests.conftest import login, make_user


def test_login_and_profile(client, app):
    with app.app_context():
        make_user("a@example.org")
    response = login(client, "a@example.org")
    assert response.status_code == 303
    assert client.get("/profile").status_code == 200
