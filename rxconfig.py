import reflex as rx

from app.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="app",
    app_module_import="app.app",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    state_manager_mode="redis" if settings.redis_url else "disk",
    cors_allowed_origins=settings.origins,
    frontend_port=settings.port,
    backend_port=settings.port,
    telemetry_enabled=False,
    # Brotli first: about a fifth fewer bytes than gzip for phones on a weak signal.
    frontend_compression_formats=["brotli", "gzip"],
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="jade", radius="large"))],
)
