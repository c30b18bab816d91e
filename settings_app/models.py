from django.db import models

from accounts.base import TimestampedModel


class SystemSetting(TimestampedModel):
    """One stored value per registry label; NULL means the registry default."""

    label = models.CharField(max_length=64, unique=True, editable=False)
    value = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "system_settings"
        ordering = ("label",)
        verbose_name = "system setting"

    def __str__(self):
        return self.label
