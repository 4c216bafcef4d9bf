"""Domain signals. Operations send them; the audit log, mail and caches listen."""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
user_deleted = _signals.signal("user-deleted")
roles_changed = _signals.signal("roles-changed")
staff_created = _signals.signal("staff-created")
two_factor_enabled = _signals.signal("two-factor-enabled")
