"""Users and roles, and a record of scheduled job runs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CUSTOMER = "CUSTOMER", "Kunde"
    AGENT = "AGENT", "Kundenservice"
    SALES = "SALES", "Vertrieb"
    ADMIN = "ADMIN", "Administration"


STAFF_ROLES = frozenset({Role.AGENT, Role.SALES, Role.ADMIN})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create a user who logs in with the given e-mail address (stored lower-case)."""
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create an administrator with full access to the Django admin."""
        fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in by e-mail address; `role` decides what they may see."""

    email = models.EmailField("E-Mail-Adresse", unique=True)
    full_name = models.CharField("Name", max_length=200, blank=True)
    # Customers see only this for staff (agents faced hostility during the energy crisis: DOMAIN.md).
    display_name = models.CharField("Anzeigename", max_length=80, blank=True)
    role = models.CharField("Rolle", max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField("aktiv", default=True)
    is_staff = models.BooleanField("Zugang zur Verwaltung", default=False)
    date_joined = models.DateTimeField("registriert am", default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "Benutzer"
        verbose_name_plural = "Benutzer"
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=~models.Q(email=""), name="user_email_not_empty"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.full_name or f"Benutzer {self.pk}"

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_sales(self) -> bool:
        return self.role == Role.SALES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def public_name(self) -> str:
        """Return the name a customer may see for this staff member."""
        return self.display_name or "Ihr Kundenservice"


class JobRun(models.Model):
    """One run of a scheduled or manual job, so that admins can see what ran and what failed."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "läuft"
        SUCCEEDED = "SUCCEEDED", "erfolgreich"
        FAILED = "FAILED", "fehlgeschlagen"

    job = models.CharField("Job", max_length=100)
    started_at = models.DateTimeField("gestartet", default=timezone.now)
    finished_at = models.DateTimeField("beendet", null=True, blank=True)
    status = models.CharField("Status", max_length=16, choices=Status.choices, default=Status.RUNNING)
    result = models.JSONField("Ergebnis", default=dict, blank=True)
    error = models.TextField("Fehler", blank=True)

    class Meta:
        verbose_name = "Job-Lauf"
        verbose_name_plural = "Job-Läufe"
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"


class OutboxMessage(models.Model):
    """A task to enqueue, written in the same transaction as the change that needs it (transactional outbox).

    The relay (core.outbox.relay) publishes unsent rows to the broker and marks them; if the broker is down the rows
    wait and nothing is lost. Tasks must be idempotent, since a row can be published again after a crash between
    publishing and marking.
    """

    task_name = models.CharField("Task", max_length=120)
    kwargs = models.JSONField("Argumente", default=dict)
    created_at = models.DateTimeField("angelegt", default=timezone.now)
    published_at = models.DateTimeField("veröffentlicht", null=True, blank=True)
    attempts = models.PositiveIntegerField("Versuche", default=0)
    last_error = models.TextField("letzter Fehler", blank=True)

    class Meta:
        verbose_name = "Outbox-Nachricht"
        verbose_name_plural = "Outbox"
        indexes = [
            models.Index(
                fields=["created_at", "id"], condition=models.Q(published_at__isnull=True), name="outbox_unsent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
