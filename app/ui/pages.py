"""The home page: one route, a different first screen per role."""

import reflex as rx

from app.accounts.state import SessionState
from app.ui.components import (
    action_tile,
    centered_row,
    column,
    muted,
    panel,
    role_label,
    stat_tile,
    t,
)
from app.ui.layout import app_page
from app.ui.state import HomeState


def _greeting() -> rx.Component:
    return rx.vstack(
        rx.heading(t("home.greeting") + SessionState.user_name, size="6", as_="h2"),
        rx.badge(role_label(SessionState.user_role), variant="soft", size="2", high_contrast=True),
        spacing="2",
    )


def _tiles() -> rx.Component:
    return rx.cond(
        HomeState.tiles.length() > 0,
        rx.grid(
            rx.foreach(HomeState.tiles, lambda tile: stat_tile(tile[0], tile[1])),
            columns="2",
            spacing="3",
            width="100%",
        ),
    )


def _communities() -> rx.Component:
    return rx.cond(
        HomeState.communities.length() > 0,
        column(
            rx.heading(t("home.communities"), size="4", as_="h3"),
            rx.foreach(
                HomeState.communities,
                lambda c: panel(
                    rx.vstack(
                        rx.text(c["name"], weight="bold", size="3"),
                        rx.hstack(
                            rx.text(
                                t("home.households"), t("common.colon"), c["households"], size="2"
                            ),
                            rx.text(
                                t("home.residents"), t("common.colon"), c["residents"], size="2"
                            ),
                            rx.text(
                                t("home.volunteers"), t("common.colon"), c["volunteers"], size="2"
                            ),
                            wrap="wrap",
                        ),
                        spacing="1",
                    ),
                ),
            ),
        ),
    )


def _pending_residents() -> rx.Component:
    return rx.cond(
        HomeState.pending_residents > 0,
        rx.callout(
            centered_row(
                rx.text(
                    t("home.pending_residents"), t("common.colon"), HomeState.pending_residents
                ),
                rx.link(
                    t("home.review_residents"),
                    href="/residents",
                    weight="bold",
                    high_contrast=True,
                    class_name="tap-link",
                ),
                justify="between",
            ),
            icon="user-check",
            high_contrast=True,
            width="100%",
        ),
    )


def _household() -> rx.Component:
    return rx.cond(
        SessionState.user_role == "resident",
        panel(
            rx.vstack(
                rx.heading(t("home.my_household"), size="4", as_="h3"),
                rx.cond(
                    HomeState.household_address != "",
                    rx.vstack(
                        rx.text(HomeState.household_address, size="3", weight="medium"),
                        rx.link(
                            t("household.open"),
                            href="/household/" + HomeState.household_id.to_string(),
                            weight="bold",
                            class_name="tap-link",
                        ),
                        muted(t("home.members")),
                        rx.foreach(
                            HomeState.members,
                            lambda m: rx.hstack(
                                rx.icon("user", size=16),
                                rx.text(m[0]),
                                rx.badge(m[1], variant="surface"),
                                align="center",
                            ),
                        ),
                        spacing="2",
                    ),
                    rx.text(t("home.household_pending"), color_scheme="gray"),
                ),
            ),
        ),
    )


def _application() -> rx.Component:
    """Applicants see where their application stands; residents are invited to volunteer."""
    status = HomeState.application
    return rx.cond(
        (SessionState.user_role == "applicant") | (SessionState.user_role == "resident"),
        panel(
            column(
                rx.heading(t("home.volunteering"), size="4", as_="h3"),
                rx.match(
                    status,
                    (
                        "pending",
                        rx.callout(t("home.application_pending"), icon="hourglass", width="100%"),
                    ),
                    (
                        "approved",
                        rx.callout(
                            t("home.application_approved"), icon="circle-check", width="100%"
                        ),
                    ),
                    (
                        "declined",
                        rx.callout(
                            HomeState.application_reason,
                            icon="info",
                            color_scheme="orange",
                            width="100%",
                        ),
                    ),
                    muted(t("home.volunteer_invite")),
                ),
                rx.cond(
                    (status == "") | (status == "declined"),
                    rx.link(
                        rx.button(
                            rx.icon("hand-heart", size=18), t("apply.title"), size="4", width="100%"
                        ),
                        href="/volunteer/apply",
                        width="100%",
                    ),
                ),
            ),
        ),
    )


def _health_due() -> rx.Component:
    """Someone at home in quarantine has today's check to report."""
    return rx.cond(
        HomeState.health_due > 0,
        rx.link(
            rx.callout(
                t("home.health_due"),
                icon="thermometer",
                color_scheme="orange",
                width="100%",
                class_name="tap-card",
            ),
            href="/health",
            underline="none",
            width="100%",
        ),
    )


def _my_round() -> rx.Component:
    """A volunteer's own doors in the open round, and the next one to knock on."""
    percent = rx.cond(
        HomeState.my_doors > 0, (HomeState.my_done * 100 // HomeState.my_doors).to(int), 0
    )
    return rx.cond(
        HomeState.my_doors > 0,
        panel(
            column(
                centered_row(
                    rx.heading(t("home.my_round"), size="4", as_="h3"),
                    rx.spacer(),
                    rx.text(
                        HomeState.my_done,
                        " / ",
                        HomeState.my_doors,
                        size="3",
                        weight="bold",
                        class_name="number",
                    ),
                ),
                rx.progress(value=percent, size="2", aria_label=t("home.my_round")),
                rx.foreach(
                    HomeState.my_buildings,
                    lambda b: rx.hstack(
                        rx.text(b[0], size="2"),
                        rx.spacer(),
                        rx.text(b[1], " / ", b[2], size="2", class_name="number"),
                        width="100%",
                    ),
                ),
                rx.cond(
                    HomeState.next_door != "",
                    rx.link(
                        rx.button(t("doors.next"), rx.icon("arrow-right"), size="3", width="100%"),
                        href=HomeState.next_door,
                        width="100%",
                    ),
                    rx.text(t("doors.all_done"), size="2"),
                ),
                spacing="2",
            ),
        ),
    )


def _my_testing() -> rx.Component:
    """A resident's test: the round's date, their building's slot at its site, how each of
    the family stands, and their codes."""
    return rx.cond(
        HomeState.test_round != "",
        panel(
            column(
                centered_row(
                    rx.icon("test-tube", size=20, color=rx.color("accent", 10)),
                    rx.heading(t("mytest.title"), size="4", as_="h3"),
                    rx.spacer(),
                    rx.text(HomeState.test_date, size="2", class_name="number"),
                ),
                muted(HomeState.test_round),
                rx.cond(
                    HomeState.test_open,
                    rx.cond(
                        HomeState.test_slot != "",
                        rx.vstack(
                            rx.text(HomeState.test_slot, size="3", weight="bold"),
                            rx.cond(HomeState.test_place != "", muted(HomeState.test_place)),
                            spacing="1",
                        ),
                        rx.text(t("mytest.no_slot"), size="2"),
                    ),
                    muted(t("mytest.ended")),
                ),
                rx.foreach(
                    HomeState.test_people,
                    lambda p: centered_row(
                        rx.icon("user", size=16),
                        rx.text(p[0], size="3"),
                        rx.spacer(),
                        rx.badge(
                            p[2],
                            color_scheme=rx.cond(
                                p[1] == "negative",
                                "jade",
                                rx.cond(
                                    p[1] == "retest",
                                    "orange",
                                    rx.cond(p[1] == "sampled", "blue", "gray"),
                                ),
                            ),
                            variant=rx.cond(p[1] == "none", "outline", "soft"),
                            size="2",
                        ),
                        class_name="test-person",
                    ),
                ),
                rx.link(
                    rx.button(
                        rx.icon("qr-code", size=18), t("mytest.codes"), size="4", width="100%"
                    ),
                    href="/testing/codes",
                    width="100%",
                ),
                spacing="2",
            ),
        ),
    )


# The home page's shortcuts: (icon, title key, route, the roles that see it).
SHORTCUTS = (
    ("chart-no-axes-column", "board.title", "/screening", ("staff",)),
    ("clipboard-list", "today.title", "/today", ("staff",)),
    ("test-tube", "testing.title", "/testing", ("staff",)),
    ("calendar-check", "duty.title", "/duty", ("volunteer",)),
    ("user-search", "missed.title", "/testing/missed", ("volunteer", "staff")),
    (
        "shopping-basket",
        "supplies.title",
        "/supplies",
        ("resident", "volunteer", "staff", "street_staff", "admin"),
    ),
    ("calendar-days", "shifts.title", "/volunteers/roster", ("staff",)),
    ("users", "teams.title", "/volunteers/teams", ("staff",)),
)


def _shortcuts() -> rx.Component:
    return rx.grid(
        *[
            rx.cond(
                rx.Var.create(list(roles)).contains(SessionState.user_role),
                action_tile(icon, key, route),
            )
            for icon, key, route, roles in SHORTCUTS
        ],
        columns="2",
        spacing="3",
        width="100%",
    )


def home() -> rx.Component:
    return app_page(
        "/",
        "nav.home",
        _greeting(),
        _health_due(),
        _my_testing(),
        _my_round(),
        _shortcuts(),
        _pending_residents(),
        _household(),
        _application(),
        _tiles(),
        _communities(),
    )
