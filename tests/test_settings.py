from app.settings import Settings


def test_websocket_origins_follow_the_port_unless_given(monkeypatch):
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)
    assert Settings().origins == ["http://localhost:8080", "http://127.0.0.1:8080"]
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://fangyi.example.cn, https://m.example.cn")
    assert Settings().origins == ["https://fangyi.example.cn", "https://m.example.cn"]


def test_sqlite_is_the_default_database(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings().database_url.startswith("sqlite:///")
