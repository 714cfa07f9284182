def test_leerplicht_sees_the_doorstroomtafel_in_the_menu(client, leerplicht):
    client.force_login(leerplicht)
    html = client.get("/").content.decode()
    assert 'href="/doorstroomtafel/"' in html


def test_regional_coordinator_and_admin_do_not(client, regio, functional_admin):
    for user in (regio, functional_admin):
        client.force_login(user)
        assert 'href="/doorstroomtafel/"' not in client.get("/").content.decode()


def test_the_current_section_is_marked_for_screen_readers(client, leerplicht):
    client.force_login(leerplicht)
    html = client.get("/doorstroomtafel/").content.decode()
    assert 'aria-current="page" href="/doorstroomtafel/"' in html
