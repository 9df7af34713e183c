"""signup attempts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('signupattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signupattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signupattempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signupattempt_client'), ['client'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signupattempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signupattempt_client'))
        batch_op.drop_index(batch_op.f('ix_signupattempt_at'))

    op.drop_table('signupattempt')
