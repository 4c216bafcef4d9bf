"""Accounts and roles."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from burgerbegroting.core.permissions import Role, is_staff
from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db


def new_session_version() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(5), default="nl")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Changes on password change or reset, which signs out every other session.
    session_version: Mapped[str] = mapped_column(sa.String(32), default=new_session_version)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Last accepted TOTP time step, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    @property
    def role_set(self) -> set[Role]:
        return {Role(r.role) for r in self.roles}

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def is_staff(self) -> bool:
        return is_staff(self.role_set)

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_role"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('resident', 'reviewer', 'moderator', 'admin', 'council')",
            name="known_role",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")
