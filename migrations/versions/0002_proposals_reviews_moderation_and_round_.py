"""proposals reviews moderation and round rules

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:46:32.344382

"""
from alembic import op
import sqlalchemy as sa


ROUND_CHECKS = [
    ("known_ballot_type", "ballot_type IN ('approval', 'knapsack', 'cumulative', 'ranking')"),
    ("known_counting_rule", "counting_rule IN ('greedy', 'greedy-threshold', 'greedy-no-skip', 'equal-shares', "
                            "'equal-shares-add1', 'equal-shares-add1-comparison')"),
    ("known_eligibility", "eligibility IN ('postcode', 'register', 'account')"),
    ("known_decision", "decision IN ('vote', 'panel')"),
    ("min_choices_not_negative", "min_choices >= 0"),
    ("max_at_least_min", "max_choices IS NULL OR max_choices >= min_choices"),
    ("points_positive", "points_total IS NULL OR points_total > 0"),
    ("min_age_range", "min_age IS NULL OR (min_age >= 0 AND min_age <= 120)"),
    ("min_supporters_not_negative", "min_supporters >= 0"),
]

# The rule lock, in the database: once a round's voting phase has started, what the vote
# depends on cannot change any more (ballot settings, counting rule, district budgets, the
# proposals on the ballot and their cost, the start of voting). The application refuses the
# same changes first, with a clear message; these triggers make sure no other path (a bug,
# a second app server, a manual SQL session) can do it either.
PG_LOCKED = ("EXISTS (SELECT 1 FROM round_phase rp WHERE rp.round_id = {rid} "
             "AND rp.phase = 'voting' AND rp.starts_at <= clock_timestamp())")
SQLITE_LOCKED = ("EXISTS (SELECT 1 FROM round_phase rp WHERE rp.round_id = {rid} "
                 "AND rp.phase = 'voting' AND rp.starts_at <= strftime('%Y-%m-%d %H:%M:%f', 'now'))")

PG_FUNCTIONS = [
    """
CREATE FUNCTION rule_lock_round() RETURNS trigger AS $$
BEGIN
  IF {locked_old} AND (NEW.ballot_type, NEW.counting_rule, NEW.min_choices, NEW.max_choices,
                       NEW.points_total, NEW.decision)
      IS DISTINCT FROM (OLD.ballot_type, OLD.counting_rule, OLD.min_choices, OLD.max_choices,
                        OLD.points_total, OLD.decision) THEN
    RAISE EXCEPTION 'rule lock: voting has opened, the ballot settings of round % are frozen', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
""".format(locked_old=PG_LOCKED.format(rid="OLD.id")),
    """
CREATE FUNCTION rule_lock_district() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {locked_old}
     AND (TG_OP = 'DELETE' OR NEW.budget_cents IS DISTINCT FROM OLD.budget_cents
          OR NEW.round_id IS DISTINCT FROM OLD.round_id) THEN
    RAISE EXCEPTION 'rule lock: voting has opened, district budgets are frozen'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {locked_new} AND (TG_OP = 'INSERT' OR NEW.round_id IS DISTINCT FROM OLD.round_id) THEN
    RAISE EXCEPTION 'rule lock: voting has opened, no districts can be added'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
""".format(locked_old=PG_LOCKED.format(rid="OLD.round_id"), locked_new=PG_LOCKED.format(rid="NEW.round_id")),
    """
CREATE FUNCTION rule_lock_proposal() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {locked_old} AND OLD.status = 'feasible' THEN
    IF TG_OP = 'DELETE'
       OR NEW.round_id IS DISTINCT FROM OLD.round_id OR NEW.district_id IS DISTINCT FROM OLD.district_id
       OR NEW.cost_cents IS DISTINCT FROM OLD.cost_cents
       OR NEW.reviewed_cost_cents IS DISTINCT FROM OLD.reviewed_cost_cents
       OR NEW.status NOT IN ('feasible', 'selected', 'not_selected') THEN
      RAISE EXCEPTION 'rule lock: voting has opened, proposal % on the ballot is frozen', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'feasible' AND {locked_new}
     AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'feasible') THEN
    RAISE EXCEPTION 'rule lock: voting has opened, no proposal can be added to the ballot'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
""".format(locked_old=PG_LOCKED.format(rid="OLD.round_id"), locked_new=PG_LOCKED.format(rid="NEW.round_id")),
    """
CREATE FUNCTION rule_lock_phase() RETURNS trigger AS $$
BEGIN
  IF OLD.phase = 'voting' AND OLD.starts_at <= clock_timestamp()
     AND (TG_OP = 'DELETE' OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
          OR NEW.phase IS DISTINCT FROM OLD.phase OR NEW.round_id IS DISTINCT FROM OLD.round_id) THEN
    RAISE EXCEPTION 'rule lock: voting has opened, its start cannot move'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
""",
]

PG_TRIGGERS = [
    "CREATE TRIGGER rule_lock_round BEFORE UPDATE ON budget_round FOR EACH ROW EXECUTE FUNCTION rule_lock_round()",
    "CREATE TRIGGER rule_lock_district BEFORE INSERT OR UPDATE OR DELETE ON district "
    "FOR EACH ROW EXECUTE FUNCTION rule_lock_district()",
    "CREATE TRIGGER rule_lock_proposal BEFORE INSERT OR UPDATE OR DELETE ON proposal "
    "FOR EACH ROW EXECUTE FUNCTION rule_lock_proposal()",
    "CREATE TRIGGER rule_lock_phase BEFORE UPDATE OR DELETE ON round_phase "
    "FOR EACH ROW EXECUTE FUNCTION rule_lock_phase()",
]

_SQLITE_RAISE = "SELECT RAISE(ABORT, 'rule lock: voting has opened, {what}');"
SQLITE_TRIGGERS = [
    ("rule_lock_round", "BEFORE UPDATE OF ballot_type, counting_rule, min_choices, max_choices, points_total, decision "
     "ON budget_round", SQLITE_LOCKED.format(rid="OLD.id") + " AND (NEW.ballot_type IS NOT OLD.ballot_type "
     "OR NEW.counting_rule IS NOT OLD.counting_rule OR NEW.min_choices IS NOT OLD.min_choices "
     "OR NEW.max_choices IS NOT OLD.max_choices OR NEW.points_total IS NOT OLD.points_total "
     "OR NEW.decision IS NOT OLD.decision)", "the ballot settings are frozen"),
    ("rule_lock_district_update", "BEFORE UPDATE OF budget_cents, round_id ON district",
     SQLITE_LOCKED.format(rid="OLD.round_id") + " AND (NEW.budget_cents IS NOT OLD.budget_cents "
     "OR NEW.round_id IS NOT OLD.round_id)", "district budgets are frozen"),
    ("rule_lock_district_delete", "BEFORE DELETE ON district", SQLITE_LOCKED.format(rid="OLD.round_id"),
     "district budgets are frozen"),
    ("rule_lock_district_insert", "BEFORE INSERT ON district", SQLITE_LOCKED.format(rid="NEW.round_id"),
     "no districts can be added"),
    ("rule_lock_proposal_update", "BEFORE UPDATE ON proposal",
     "OLD.status = 'feasible' AND " + SQLITE_LOCKED.format(rid="OLD.round_id") +
     " AND (NEW.round_id IS NOT OLD.round_id OR NEW.district_id IS NOT OLD.district_id "
     "OR NEW.cost_cents IS NOT OLD.cost_cents OR NEW.reviewed_cost_cents IS NOT OLD.reviewed_cost_cents "
     "OR NEW.status NOT IN ('feasible', 'selected', 'not_selected'))", "a proposal on the ballot is frozen"),
    ("rule_lock_proposal_onto_ballot", "BEFORE UPDATE OF status ON proposal",
     "NEW.status = 'feasible' AND OLD.status IS NOT 'feasible' AND " + SQLITE_LOCKED.format(rid="NEW.round_id"),
     "no proposal can be added to the ballot"),
    ("rule_lock_proposal_insert", "BEFORE INSERT ON proposal",
     "NEW.status = 'feasible' AND " + SQLITE_LOCKED.format(rid="NEW.round_id"),
     "no proposal can be added to the ballot"),
    ("rule_lock_proposal_delete", "BEFORE DELETE ON proposal",
     "OLD.status = 'feasible' AND " + SQLITE_LOCKED.format(rid="OLD.round_id"), "a proposal on the ballot is frozen"),
    ("rule_lock_phase_update", "BEFORE UPDATE OF starts_at, phase, round_id ON round_phase",
     "OLD.phase = 'voting' AND OLD.starts_at <= strftime('%Y-%m-%d %H:%M:%f', 'now') "
     "AND (NEW.starts_at IS NOT OLD.starts_at OR NEW.phase IS NOT OLD.phase OR NEW.round_id IS NOT OLD.round_id)",
     "its start cannot move"),
    ("rule_lock_phase_delete", "BEFORE DELETE ON round_phase",
     "OLD.phase = 'voting' AND OLD.starts_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')", "its start cannot move"),
]


def create_rule_lock():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for sql in PG_FUNCTIONS + PG_TRIGGERS:
            op.execute(sql)
    elif dialect == "sqlite":
        for name, when_on, condition, what in SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when_on} FOR EACH ROW WHEN {condition} "
                       f"BEGIN {_SQLITE_RAISE.format(what=what)} END")


def drop_rule_lock():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table, name in [("budget_round", "rule_lock_round"), ("district", "rule_lock_district"),
                            ("proposal", "rule_lock_proposal"), ("round_phase", "rule_lock_phase")]:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    elif dialect == "sqlite":
        for name, *_rest in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('public_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'restore', 'dismiss')", name=op.f('ck_moderation_action_known_action')),
    sa.CheckConstraint("target_type IN ('proposal', 'comment')", name=op.f('ck_moderation_action_known_target')),
    sa.ForeignKeyConstraint(['moderator_id'], ['user_account.id'], name=op.f('fk_moderation_action_moderator_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_action'))
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index('ix_moderation_action_target', ['target_type', 'target_id'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('explanation', sa.String(length=1000), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("reason IN ('offensive', 'personal_data', 'spam', 'incorrect', 'other')", name=op.f('ck_report_known_reason')),
    sa.CheckConstraint("state IN ('open', 'dismissed', 'actioned')", name=op.f('ck_report_known_state')),
    sa.CheckConstraint("target_type IN ('proposal', 'comment')", name=op.f('ck_report_known_target')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_report_handled_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_report_reporter_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('target_type', 'target_id', 'reporter_id', name=op.f('uq_report_target_type_target_id_reporter_id'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index('ix_report_state', ['state'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('reviewed_cost_cents', sa.BigInteger(), nullable=True),
    sa.Column('theme', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'not_enough_support', 'in_review', 'feasible', 'not_feasible', 'merged', 'withdrawn', 'selected', 'not_selected', 'in_progress', 'done')", name=op.f('ck_proposal_known_status')),
    sa.CheckConstraint("theme IS NULL OR theme IN ('green', 'traffic', 'play', 'sport', 'culture', 'care', 'safety', 'sustainability', 'other')", name=op.f('ck_proposal_known_theme')),
    sa.CheckConstraint('cost_cents > 0 AND cost_cents <= 10000000000', name=op.f('ck_proposal_cost_range')),
    sa.CheckConstraint('reviewed_cost_cents IS NULL OR (reviewed_cost_cents > 0 AND reviewed_cost_cents <= 10000000000)', name=op.f('ck_proposal_reviewed_cost_range')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_proposal_district_id_district'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['proposal.id'], name=op.f('fk_proposal_duplicate_of_id_proposal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['budget_round.id'], name=op.f('fk_proposal_round_id_budget_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_round_district_status', ['round_id', 'district_id', 'status'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_comment_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('cost_cents', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('public_note', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('status', 'cost')", name=op.f('ck_proposal_event_known_kind')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_event_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_event'))
    )
    with op.batch_alter_table('proposal_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_event_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt_text', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name=op.f('ck_proposal_image_known_type')),
    sa.CheckConstraint('position >= 0 AND position < 3', name=op.f('ck_proposal_image_position_range')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_image_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_image')),
    sa.UniqueConstraint('proposal_id', 'position', name=op.f('uq_proposal_image_proposal_id_position'))
    )
    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=30), nullable=False),
    sa.Column('reviewed_cost_cents', sa.BigInteger(), nullable=False),
    sa.Column('public_reason', sa.Text(), nullable=False),
    sa.Column('internal_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verdict != 'not_feasible' OR length(public_reason) > 0", name=op.f('ck_review_reason_when_not_feasible')),
    sa.CheckConstraint("verdict IN ('feasible', 'not_feasible', 'feasible_with_changes')", name=op.f('ck_review_known_verdict')),
    sa.CheckConstraint('reviewed_cost_cents > 0 AND reviewed_cost_cents <= 10000000000', name=op.f('ck_review_cost_range')),
    sa.CheckConstraint('stage IN (1, 2)', name=op.f('ck_review_known_stage')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_review_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], name=op.f('fk_review_reviewer_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review')),
    sa.UniqueConstraint('proposal_id', 'stage', name=op.f('uq_review_proposal_id_stage'))
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_support_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_support_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_support_proposal_id_user_id'))
    )
    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=10), nullable=False, server_default=sa.text("'vote'")))
        batch_op.add_column(sa.Column('ballot_type', sa.String(length=20), nullable=False, server_default=sa.text("'approval'")))
        batch_op.add_column(sa.Column('counting_rule', sa.String(length=40), nullable=False, server_default=sa.text("'equal-shares-add1'")))
        batch_op.add_column(sa.Column('min_choices', sa.Integer(), nullable=False, server_default=sa.text("'1'")))
        batch_op.add_column(sa.Column('max_choices', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('points_total', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eligibility', sa.String(length=20), nullable=False, server_default=sa.text("'postcode'")))
        batch_op.add_column(sa.Column('min_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_supporters', sa.Integer(), nullable=False, server_default=sa.text("'0'")))
        batch_op.add_column(sa.Column('four_eyes', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('comments_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
        for name, condition in ROUND_CHECKS:
            batch_op.create_check_constraint(name, condition)

    # ### end Alembic commands ###
    create_rule_lock()


def downgrade():
    drop_rule_lock()
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('budget_round', schema=None) as batch_op:
        for name, _condition in ROUND_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_budget_round_{name}"), type_="check")
        batch_op.drop_column('comments_enabled')
        batch_op.drop_column('four_eyes')
        batch_op.drop_column('min_supporters')
        batch_op.drop_column('min_age')
        batch_op.drop_column('eligibility')
        batch_op.drop_column('points_total')
        batch_op.drop_column('max_choices')
        batch_op.drop_column('min_choices')
        batch_op.drop_column('counting_rule')
        batch_op.drop_column('ballot_type')
        batch_op.drop_column('decision')

    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_proposal_id'))

    op.drop_table('support')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_proposal_id'))

    op.drop_table('review')
    op.drop_table('proposal_image')
    with op.batch_alter_table('proposal_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_event_proposal_id'))

    op.drop_table('proposal_event')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_proposal_id'))

    op.drop_table('comment')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_round_district_status')

    op.drop_table('proposal')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_state')

    op.drop_table('report')
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index('ix_moderation_action_target')

    op.drop_table('moderation_action')
    # ### end Alembic commands ###
