def test_pages_are_dutch_whatever_the_browser_asks(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "Inloggen bij Koers" in response.text
    assert response["Content-Language"] == "nl"


def test_english_when_the_user_chooses_it(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    response = client.get("/accounts/login/")
    assert "Log in to Koers" in response.text
    assert response["Content-Language"] == "en"
