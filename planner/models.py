"""A user's private calendar feed: a secret URL, of which only a hash is kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership


class CalendarFeed(models.Model):
    """One secret feed link of a user, for the role it was made in. Never deleted:
    revoking or renewing sets `revoked_at`, so the rows are the link's history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("gebruiker"),
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("rol")
    )
    # sha256 of the token: a copy of the database gives no working link.
    token_hash = models.CharField(_("sleutel"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt op"), null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderlink")
        verbose_name_plural = _("kalenderlinks")
        constraints = [
            models.UniqueConstraint(
                "user",
                "membership",
                condition=models.Q(revoked_at__isnull=True),
                name="calendarfeed_one_active_per_role",
            ),
        ]

    def __str__(self):
        return f"calendar feed {self.pk} of user {self.user_id}"
