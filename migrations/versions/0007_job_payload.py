"""background jobs: a payload column (the checked rows of an uploaded register, kept only
while the job waits or runs) and the "register_letters" kind

Revision ID: 0007_job_payload
Revises: 0006
Create Date: 2026-11-23 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_job_payload'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_json', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_background_job_known_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_background_job_known_kind'), "kind IN ('letters', 'count', 'register_letters')")


def downgrade():
    # Register-letters jobs cannot be kept under the old kinds (and hold personal data).
    op.execute("DELETE FROM background_job WHERE kind = 'register_letters'")
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_background_job_known_kind'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_background_job_known_kind'), "kind IN ('letters', 'count')")
        batch_op.drop_column('payload_json')
