from config.storage import StaticStorage


def test_without_collectstatic_pages_get_plain_static_urls_and_the_omission_is_logged(tmp_path, caplog):
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/app.css") == "/static/css/app.css"
    assert "run `manage.py collectstatic`" in caplog.text


def test_after_collectstatic_urls_are_hashed(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: black; }")
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    storage.hashed_files = {"css/app.css": "css/app.0123456789ab.css"}
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
