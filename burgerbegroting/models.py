"""Import every model module so that SQLAlchemy and Alembic see all tables."""

from burgerbegroting.auth import models as auth_models  # noqa: F401
from burgerbegroting.ballots import models as ballot_models  # noqa: F401
from burgerbegroting.core import audit as audit_models  # noqa: F401
from burgerbegroting.jobs import models as job_models  # noqa: F401
from burgerbegroting.moderation import models as moderation_models  # noqa: F401
from burgerbegroting.processes import models as process_models  # noqa: F401
from burgerbegroting.proposals import models as proposal_models  # noqa: F401
from burgerbegroting.results import models as result_models  # noqa: F401
from burgerbegroting.reviews import models as review_models  # noqa: F401
from burgerbegroting.voters import models as voter_models  # noqa: F401
