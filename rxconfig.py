import reflex as rx
from reflex.constants import StateManagerMode

from app.settings import get_settings

settings = get_settings()

# The colour scales the app uses (accent, neutrals, errors, tenant badges).
RADIX_COLORS = ("jade", "gray", "red", "orange")


class RadixThemesSubset(rx.plugins.RadixThemesPlugin):
    """Radix Themes with only our colour scales: the full stylesheet carries all thirty,
    about 150 KB more CSS for every phone to fetch and parse before the first paint."""

    def get_stylesheet_paths(self, **context) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        themes = "@radix-ui/themes"
        colors = tuple(f"{themes}/tokens/colors/{c}.css" for c in RADIX_COLORS)
        return (
            f"{themes}/tokens/base.css",
            *colors,
            f"{themes}/components.css",
            f"{themes}/utilities.css",
        )


config = rx.Config(
    app_name="app",
    app_module_import="app.app",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    state_manager_mode=StateManagerMode.REDIS if settings.redis_url else StateManagerMode.DISK,
    cors_allowed_origins=settings.origins,
    # Reflex takes the client's address (login and sign-up limits count per client) from
    # X-Forwarded-For only through this many trusted proxies.
    trusted_proxy_hops=settings.trusted_proxy_hops,
    frontend_port=settings.port,
    backend_port=settings.port,
    telemetry_enabled=False,
    # Brotli first: about a fifth fewer bytes than gzip for phones on a weak signal.
    frontend_compression_formats=["brotli", "gzip"],
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        RadixThemesSubset(theme=rx.theme(accent_color="jade", gray_color="gray", radius="large"))
    ],
)
