"""Staff users, their roles, second factors, and the wraps of the organisation keys."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Hotline operator")
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    DOCUMENTER = "documenter", _("Documenter")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that read case content; an administrator may hold none of them.
CASE_READING_ROLES = frozenset({Role.OPERATOR, Role.CASEWORKER, Role.COORDINATOR, Role.DOCUMENTER})


class UserManager(BaseUserManager["User"]):
    """Users are created by corridor.accounts.services only; this exists for Django internals."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractBaseUser):
    """A staff member. The password is never stored, not even hashed: it unwraps `wrapped_private_key`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(_("username"), max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField()
    must_change_password = models.BooleanField(default=False)
    # MACs under the integrity key held in configuration (corridor.accounts.integrity):
    # of the identity, keys, wrap, activity and roles; and of the second-factor secrets.
    integrity = models.BinaryField(default=b"")
    factors_integrity = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def role_codes(self) -> set[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = {assignment.role for assignment in self.role_assignments.all()}  # uses a prefetch
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_codes


class RoleAssignment(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class OrgKeyKind(models.TextChoices):
    RECOVERY = "recovery", _("Recovery key")
    HOTLINE = "hotline", _("Hotline key")
    SIGNING = "signing", _("Signing key")
    INDEX = "index", _("Index key")
    EVIDENCE = "evidence", _("Evidence key")


class OrgKey(models.Model):
    """An organisation key: only its public part is stored in the clear."""

    kind = models.CharField(max_length=16, choices=OrgKeyKind.choices)
    version = models.PositiveIntegerField(default=1)
    # X25519 public key (recovery, hotline, evidence), Ed25519 verify key (signing), empty
    # (index). Trusted only when it matches its pin in configuration (corridor.accounts.pins).
    public_key = models.BinaryField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="unique_org_key_version")]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class KeyWrap(models.Model):
    """An organisation key's secret sealed to one user's public key, or to the recovery key."""

    org_key = models.ForeignKey(OrgKey, on_delete=models.CASCADE, related_name="wraps")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="key_wraps")
    to_recovery = models.BooleanField(default=False)
    sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_key", "user"], name="one_wrap_per_user_and_key"),
            models.UniqueConstraint(
                fields=["org_key"], condition=models.Q(to_recovery=True), name="one_recovery_wrap_per_key"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=True, to_recovery=True)
                    | models.Q(user__isnull=False, to_recovery=False)
                ),
                name="wrap_has_exactly_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"wrap of {self.org_key_id} for {'recovery' if self.to_recovery else self.user_id}"


class WebAuthnCredential(models.Model):
    """A registered security key (second factor)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="webauthn_credentials")
    name = models.CharField(max_length=64)
    credential_id = models.BinaryField(max_length=1023)
    credential_id_hash = models.CharField(max_length=64, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class StaffSession(models.Model):
    """A signed-in session, so a user can see and end theirs and disabling ends them all.

    No IP address or user agent is kept: the start time and last activity are enough to
    tell sessions apart, and nothing here helps locate a staff member.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    second_factor = models.CharField(max_length=16)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"session {self.id}"
