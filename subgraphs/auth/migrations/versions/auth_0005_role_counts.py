"""role counts: logins and distinct profiles per role, kept exact by statement-level triggers in
the writing transaction

Revision ID: auth_0005
Revises: auth_0004
Create Date: 2026-11-29 10:25:00

`userCounts` grouped a million logins by (role, profile) on every cold read (≈ 350 ms quiet,
0.5-1 s loaded). `auth.role_counts` holds, per role, how many logins and how many distinct
profiles there are; reads take its few rows. Each statement adds its net change: for
every (role, profile) whose logins changed, the profile counts once it has its first login and
stops counting with its last one, judged from the logins left after the statement. That judgement
must see every committed change to the same profile, so the profiles are locked first (a
transaction-level advisory lock each, in key order; a statement touching more than
`_BULK` profiles, like a COPY of seeded logins, locks the table against other writers instead)
and the count is read by the next statement, under a fresh snapshot. One row per role (not
shards picked at random): a change and its compensation, like a login created for a profile
whose own transaction then fails and is deleted again, leave the summary exactly as it was;
concurrent sign-ups of one role wait for each other's commit on that row, which follows the
INSERT at once. Updates that change neither role nor profile (sign-ins, lockouts) touch nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "auth_0005"
down_revision: str | None = "auth_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BULK = 64

# {changes}: (role, profile_id, d) rows, d the net number of logins added by the statement.
_APPLY = """
  SELECT count(*) INTO keys FROM ({changes}) AS k WHERE k.profile_id IS NOT NULL;
  IF keys > {bulk} THEN
    LOCK TABLE auth.users IN SHARE ROW EXCLUSIVE MODE;
  ELSIF keys > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('auth.users/' || k.role || '/' || k.profile_id, 0))
      FROM ({changes}) AS k WHERE k.profile_id IS NOT NULL ORDER BY k.role, k.profile_id;
  END IF;
  INSERT INTO auth.role_counts AS c (role, profiles, logins)
  SELECT k.role, sum(CASE WHEN k.profile_id IS NULL THEN 0
                             ELSE (left_now > 0)::int - (left_now - k.d > 0)::int END),
         sum(k.d)
    FROM ({changes}) AS k
    LEFT JOIN LATERAL (SELECT count(*) AS left_now FROM auth.users AS u
                        WHERE u.role = k.role AND u.profile_id = k.profile_id) AS n ON true
   GROUP BY k.role ORDER BY k.role
  ON CONFLICT (role) DO UPDATE
    SET profiles = c.profiles + EXCLUDED.profiles, logins = c.logins + EXCLUDED.logins;"""
_INSERTED = "SELECT role, profile_id, count(*) AS d FROM inserted GROUP BY 1, 2"
_DELETED = "SELECT role, profile_id, -count(*) AS d FROM deleted GROUP BY 1, 2"
_UPDATED = (
    "SELECT role, profile_id, sum(d) AS d FROM ("
    "SELECT role, profile_id, 1 AS d FROM inserted "
    "UNION ALL SELECT role, profile_id, -1 FROM deleted) AS x "
    "GROUP BY 1, 2 HAVING sum(d) <> 0"
)


def _apply(changes: str) -> str:
    return _APPLY.format(changes=changes, bulk=_BULK)


_FUNCTION = f"""
CREATE FUNCTION auth.count_users() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN {_apply(_INSERTED)}
  ELSIF TG_OP = 'DELETE' THEN {_apply(_DELETED)}
  ELSIF TG_OP = 'UPDATE' THEN {_apply(_UPDATED)}
  ELSE
    DELETE FROM auth.role_counts;
  END IF;
  RETURN NULL;
END $$
"""
_TRIGGERS = {
    "users_count_insert": "INSERT ON auth.users REFERENCING NEW TABLE AS inserted",
    "users_count_delete": "DELETE ON auth.users REFERENCING OLD TABLE AS deleted",
    "users_count_update": (
        "UPDATE ON auth.users REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted"
    ),
    "users_count_truncate": "TRUNCATE ON auth.users",
}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE auth.role_counts (role varchar(16) NOT NULL, "
        "profiles bigint NOT NULL, logins bigint NOT NULL, "
        "CONSTRAINT pk_role_counts PRIMARY KEY (role))"
    )
    op.execute(_FUNCTION)
    for name, event in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} FOR EACH STATEMENT "
            "EXECUTE FUNCTION auth.count_users()"
        )
    # CREATE TRIGGER already keeps writers out until this transaction commits.
    op.execute(
        "INSERT INTO auth.role_counts (role, profiles, logins) "
        "SELECT role, count(DISTINCT profile_id), count(*) FROM auth.users GROUP BY role"
    )


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON auth.users")
    op.execute("DROP FUNCTION IF EXISTS auth.count_users()")
    op.execute("DROP TABLE IF EXISTS auth.role_counts")
