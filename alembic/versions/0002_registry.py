"""registry: person files, care flags, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:58:25.865485
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditentry") as batch:
        batch.create_index("ix_auditentry_actor_id", ["actor_id"])
        batch.create_index("ix_auditentry_at", ["at"])
        batch.create_index("ix_auditentry_community_id", ["community_id"])

    for table, columns in (
        ("building", ["compound_id", "number"]),
        ("community", ["street_id", "name"]),
        ("compound", ["community_id", "name"]),
        ("grid", ["community_id", "name"]),
        ("unit", ["building_id", "number"]),
    ):
        with op.batch_alter_table(table) as batch:
            batch.create_unique_constraint(f"uq_{table}_{'_'.join(columns)}", columns)

    # Households: the building and the "3-2-501" key come from what each row already has.
    with op.batch_alter_table("household") as batch:
        batch.add_column(sa.Column("building_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("door_key", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("note", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                      server_default=sa.func.now())
        )
    op.execute(
        "UPDATE household SET building_id = (SELECT unit.building_id FROM unit"
        " WHERE unit.id = household.unit_id)"
    )
    op.execute(
        "UPDATE household SET door_key = (SELECT building.number || '-' || unit.number || '-'"
        " || household.door FROM unit JOIN building ON building.id = unit.building_id"
        " WHERE unit.id = household.unit_id)"
    )
    with op.batch_alter_table("household") as batch:
        batch.alter_column("building_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("door_key", existing_type=sa.String(length=40), nullable=False)
        batch.drop_index("ix_household_address")
        batch.create_index("ix_household_building_id", ["building_id"])
        batch.create_index("ix_household_community_door", ["community_id", "door"])
        batch.create_index(
            "ix_household_community_door_key",
            ["community_id", "door_key"],
            postgresql_ops={"door_key": "text_pattern_ops"},
        )
        batch.create_index(
            "ix_household_door_key", ["door_key"], postgresql_ops={"door_key": "text_pattern_ops"}
        )
        batch.create_unique_constraint("uq_household_unit_id_door", ["unit_id", "door"])
        batch.create_foreign_key("fk_household_building_id", "building", ["building_id"], ["id"])

    # Residents: the full person file and the special-care flags.
    with op.batch_alter_table("resident") as batch:
        batch.add_column(sa.Column("mobile_tail", sa.String(length=4), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("id_number", sa.String(length=18), nullable=False,
                                   server_default=""))
        batch.add_column(
            sa.Column("residency", sa.Enum("permanent", "tenant", name="residency",
                                           native_enum=False, length=20),
                      nullable=False, server_default="permanent")
        )
        batch.add_column(sa.Column("moved_in", sa.Date(), nullable=True))
        batch.add_column(sa.Column("moved_out", sa.Date(), nullable=True))
        for flag in ("elderly_alone", "pregnant", "disabled", "chronic_illness",
                     "child_without_carer", "no_smartphone"):
            batch.add_column(sa.Column(flag, sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
        batch.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                      server_default=sa.func.now())
        )
        batch.drop_index("ix_resident_mobile")
        batch.drop_index("ix_resident_name")
    op.execute("UPDATE resident SET mobile_tail = substr(mobile, length(mobile) - 3, 4)"
               " WHERE length(mobile) >= 4")
    with op.batch_alter_table("resident") as batch:
        batch.create_index("ix_resident_id_number", ["id_number"])
        batch.create_index("ix_resident_name", ["name"],
                           postgresql_ops={"name": "text_pattern_ops"})
        batch.create_index("ix_resident_community_name", ["community_id", "name"],
                           postgresql_ops={"name": "text_pattern_ops"})
        batch.create_index("ix_resident_community_mobile", ["community_id", "mobile"])
        batch.create_index("ix_resident_community_moved_out", ["community_id", "moved_out"])
        batch.create_index("ix_resident_community_mobile_tail", ["community_id", "mobile_tail"])
        batch.create_index("uq_resident_id_number", ["id_number"], unique=True,
                           sqlite_where=sa.text("id_number <> ''"),
                           postgresql_where=sa.text("id_number <> ''"))

    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("grid_id", sa.Integer(), nullable=True))
        batch.create_index("ix_user_grid_id", ["grid_id"])
        batch.create_foreign_key("fk_user_grid_id", "grid", ["grid_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("fk_user_grid_id", type_="foreignkey")
        batch.drop_index("ix_user_grid_id")
        batch.drop_column("grid_id")
    with op.batch_alter_table("resident") as batch:
        for index in ("uq_resident_id_number", "ix_resident_community_mobile_tail",
                      "ix_resident_community_mobile", "ix_resident_community_name",
                      "ix_resident_community_moved_out",
                      "ix_resident_name", "ix_resident_id_number"):
            batch.drop_index(index)
        for column in ("updated_at", "no_smartphone", "child_without_carer", "chronic_illness",
                       "disabled", "pregnant", "elderly_alone", "moved_out", "moved_in",
                       "residency", "id_number", "mobile_tail"):
            batch.drop_column(column)
        batch.create_index("ix_resident_name", ["name"])
        batch.create_index("ix_resident_mobile", ["mobile"])
    with op.batch_alter_table("household") as batch:
        batch.drop_constraint("fk_household_building_id", type_="foreignkey")
        batch.drop_constraint("uq_household_unit_id_door", type_="unique")
        for index in ("ix_household_community_door_key", "ix_household_community_door",
                      "ix_household_door_key", "ix_household_building_id"):
            batch.drop_index(index)
        batch.create_index("ix_household_address", ["address"])
        for column in ("updated_at", "note", "door_key", "building_id"):
            batch.drop_column(column)
    for table, columns in (
        ("unit", ["building_id", "number"]),
        ("grid", ["community_id", "name"]),
        ("compound", ["community_id", "name"]),
        ("community", ["street_id", "name"]),
        ("building", ["compound_id", "number"]),
    ):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_{'_'.join(columns)}", type_="unique")
    op.drop_table("auditentry")
